"""The round trip with real training: the Fashion-MNIST networks of scripts/train, exported as QONNX
(configs/trained/qonnx/, Quant / BipolarQuant nodes as Brevitas writes them), imported back by
qnn-import's QONNX front end and simulated on all 10,000 test images: every predicted class equals
the PyTorch integer reference's (configs/trained/NAME.predictions.txt), so the accuracy is its accuracy."""
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "qnn_import"))

import cli  # noqa: E402

SIM = cli.find_sim(None)
IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
LABELS = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
MODELS = ("fmnist_mlp_w1a2", "fmnist_sparse_tnn", "fmnist_gmp_cnn")


class FashionMnistRoundTrip(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(SIM, "needs the sim binary (build/sim or $QSIM_SIM)")
        self.assertTrue(os.path.exists(IMAGES), f"{IMAGES} is missing: install dataset-fashion-mnist (scripts/setup.sh does)")
        self.dir = tempfile.mkdtemp(prefix="qnn_roundtrip_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def round_trip(self, name):
        model = os.path.join(ROOT, "configs", "trained", "qonnx", name + ".onnx")
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = cli.run([model, "--out", self.dir, "--name", name, "--samples", "4", "--verify"])
        self.assertEqual(rc, 0, out.getvalue() + err.getvalue())
        report = os.path.join(self.dir, "report.json")
        r = subprocess.run([SIM, "--config", os.path.join(self.dir, name + ".yaml"), "--dataset", IMAGES,
                            "--labels", LABELS, "--reference",
                            os.path.join(ROOT, "configs", "trained", name + ".predictions.txt"),
                            "--no-timing", "--report", report],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:])
        with open(report) as f:
            d = json.load(f)["dataset"]
        self.assertEqual(d["images"], 10000)
        self.assertEqual(d["reference_matches"], 10000, d.get("mismatches"))
        with open(os.path.join(ROOT, "configs", "trained", name + ".json")) as f:
            info = json.load(f)
        self.assertEqual(d["correct"], round(info["integer_accuracy"] * 10000))

    def test_mlp_w1a2(self):
        self.round_trip("fmnist_mlp_w1a2")

    def test_sparse_tnn(self):
        self.round_trip("fmnist_sparse_tnn")

    def test_gmp_cnn(self):
        self.round_trip("fmnist_gmp_cnn")


if __name__ == "__main__":
    unittest.main()
