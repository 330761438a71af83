// placeholder: being written
#include <systemc>
int sc_main(int, char**) { return 0; }
