"""Tests of the Python module (python/ssbnet) against the command-line tool and analytic cases.

Run by ctest (python_ssbnet) with PYTHONPATH, SSBNET_LIBRARY, SSBNET_CLI and SSB_REF_DIR set by tests/CMakeLists.txt.
"""
import importlib.machinery
import json
import os
import subprocess
import sys
import tempfile
import unittest
import warnings

import numpy as np

import ssbnet

REF = os.environ.get("SSB_REF_DIR", os.path.join(os.path.dirname(__file__), "..", "reference"))
CLI = os.environ.get("SSBNET_CLI", "")
ELECTRODE = os.path.join(REF, "microstructure", "taufactor", "electrode.tiff")
EXAMPLE = os.path.join(REF, "eis", "impedance.py", "exampleData.csv")


def cli(*args, rc=0):
    """Run the CLI; return (stdout, stderr). Fails the test on another exit code."""
    p = subprocess.run([CLI] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode != rc:
        raise AssertionError("ssbnet %s: exit %d (expected %d)\n%s" % (" ".join(map(str, args)), p.returncode, rc,
                                                                         p.stderr))
    return p.stdout, p.stderr


@unittest.skipUnless(CLI and os.path.exists(CLI), "SSBNET_CLI not set")
class AgainstCli(unittest.TestCase):
    def test_electrode_tau_equals_cli(self):
        # TauFactor's electrode.tiff, pore phase (label 0) along z: the CLI gives 2.077242 (README validation table,
        # TauFactor 2: 2.0776). The Python call must give the CLI's number, not merely a close one.
        a = ssbnet.read_image(ELECTRODE)
        self.assertEqual(a.shape, (256, 256, 256))
        self.assertEqual(a.dtype, np.uint8)
        r = ssbnet.transport(a, phase=0, axis="z")
        out, _ = cli("micro", "transport", ELECTRODE, "--phase", "0", "--axis", "z", "--json", "--quiet")
        tau_cli = json.loads(out)["tau"]
        self.assertTrue(r.converged)
        # the estimated relative error of tau (gmg's variational rule: <= 0.1 rtol), the CLI's too
        self.assertLessEqual(r.tau_rel_error_est, 1e-9)
        self.assertAlmostEqual(r.tau_rel_error_est / json.loads(out)["tau_rel_error_est"], 1.0, delta=1e-3)
        self.assertAlmostEqual(r.tau / tau_cli, 1.0, delta=1e-9)
        self.assertAlmostEqual(r.tau, 2.077242, delta=5e-6)
        # a path gives the same as the array
        self.assertEqual(ssbnet.transport(ELECTRODE, phase=0, axis="z").tau, r.tau)
        # every key of the CLI's result reads from the Result (sigma_eff_S_per_m, current_in_A, unknowns,
        # solver_bytes were missing: the README says the keys are the CLI's), with the CLI's number
        cj = json.loads(out)
        for k in ("sigma_eff_S_per_m", "sigma_bulk_S_per_m", "current_in_A", "current_out_A", "unknowns",
                  "eps", "eps_percolating", "sigma_rel", "tau_percolating", "macmullin", "percolates"):
            self.assertIn(k, r)
            self.assertAlmostEqual(r[k] / cj[k], 1.0, delta=1e-8, msg=k)
        self.assertEqual(r.get("unknowns"), cj["unknowns"])
        self.assertEqual(r["sigma_eff_S_per_m"], r.sigma_eff)
        self.assertNotIn("no_such_key", r)

    def test_numpy_array_equals_npy_through_cli(self):
        # A random two-phase field made here, solved from memory and saved with numpy.save through the CLI.
        rng = np.random.default_rng(7)
        a = (rng.random((24, 20, 16)) < 0.62).astype(np.uint8)  # label 1 above the site-percolation threshold
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "field.npy")
            np.save(path, a)
            for axis in "xyz":
                r = ssbnet.transport(a, phase=1, axis=axis)
                out, _ = cli("micro", "transport", path, "--phase", "1", "--axis", axis, "--json", "--quiet")
                j = json.loads(out)
                self.assertTrue(r.percolates)
                self.assertAlmostEqual(r.tau / j["tau"], 1.0, delta=1e-10, msg=axis)
                self.assertAlmostEqual(r.eps, j["eps"], delta=1e-15)
            back = ssbnet.read_image(path)
            np.testing.assert_array_equal(back, a)

    def test_float_array_equals_float_npy_through_cli(self):
        # `micro transport F.npy` reads a float64 .npy of whole numbers as labels; the module refused the same array
        # ("dtype float64 is not an integer type"), so an array from numpy.where(..., 1.0, 0.0) could not be
        # compared with its saved file. Now the same tau, and a non-label value gets the CLI's words
        rng = np.random.default_rng(9)
        a = np.where(rng.random((14, 12, 10)) < 0.65, 1.0, 0.0)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "f.npy")
            np.save(path, a)
            out, _ = cli("micro", "transport", path, "--phase", "1", "--json", "--quiet")
            self.assertAlmostEqual(ssbnet.transport(a, phase=1).tau / json.loads(out)["tau"], 1.0, delta=1e-10)
            for bad, words in ((0.5, "gray value 0.5 at voxel (x=3, y=2, z=1) is not a label"),
                               (np.nan, "gray value NaN at voxel (x=3, y=2, z=1) cannot be mapped to a label")):
                b = a.copy()
                b[1, 2, 3] = bad
                np.save(path, b)
                _, err = cli("micro", "transport", path, "--phase", "1", "--quiet", rc=7)
                self.assertIn(words, err)
                with self.assertRaises(ssbnet.SsbValueError) as cm:
                    ssbnet.transport(b, phase=1)
                self.assertIn(words, cm.exception.message)
                self.assertEqual(cm.exception.code, "SSB_ERR_RANGE")

    def test_gray_values_mapped_as_the_cli(self):
        # a 16-bit image with gray values 1000 / 3000 (a tomogram's phases): the CLI maps them with --threshold or
        # --label-map; read_image had no way to, so the file could not be used from Python at all
        rng = np.random.default_rng(12)
        gray = np.where(rng.random((12, 10, 8)) < 0.6, 3000, 1000).astype(np.uint16)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "gray.npy")
            np.save(path, gray)
            with self.assertRaises(ssbnet.SsbValueError):
                ssbnet.read_image(path)
            a = ssbnet.read_image(path, thresholds=[2000])
            np.testing.assert_array_equal(a, (gray > 2000).astype(np.uint8))
            b = ssbnet.read_image(path, label_map={1000: 0, 3000: 1})
            np.testing.assert_array_equal(a, b)
            out, _ = cli("micro", "transport", path, "--phase", "1", "--threshold", "2000", "--json", "--quiet")
            self.assertAlmostEqual(ssbnet.transport(a, phase=1).tau / json.loads(out)["tau"], 1.0, delta=1e-10)
            with self.assertRaises(ssbnet.SsbNotFoundError):
                ssbnet.read_image(path, label_map={1000: 0})  # 3000 is not in the map
            with self.assertRaises(ssbnet.SsbValueError):
                ssbnet.read_image(path, thresholds=[2000], label_map={1000: 0})

    def test_example_fit_equals_cli(self):
        # impedance.py's exampleData.csv with its documented guess and unit weights (impedance.py's default):
        # rss <= 1.95e-5 (tests/reference/eis/impedance.py/README.md), and the same parameters as `ssbnet eis fit`.
        data = np.loadtxt(EXAMPLE, delimiter=",")
        f, Z = data[:, 0], data[:, 1] + 1j * data[:, 2]
        keep = Z.imag < 0  # --drop-inductive
        circuit = "R0-p(R1,C1)-p(R2-Wo1,C2)"
        guess = [.01, .01, 100, .01, .05, 100, 1]
        r = ssbnet.eis_fit(f[keep], Z[keep], circuit, guess=guess, weight="unit")
        out, _ = cli("eis", "fit", EXAMPLE, "--circuit", circuit, "--guess", ",".join(map(str, guess)),
                     "--drop-inductive", "--weight", "unit", "--json", "--quiet")
        j = json.loads(out)
        self.assertLessEqual(r.rss, 1.95e-5)
        self.assertAlmostEqual(r.rss / j["rss"], 1.0, delta=1e-9)
        for name, v in j["parameters"].items():
            self.assertAlmostEqual(r.parameters[name] / v, 1.0, delta=1e-8, msg=name)
            self.assertAlmostEqual(r.stderr[name] / j["stderr"][name], 1.0, delta=1e-6, msg=name)

    def test_cell_rates_equal_cli(self):
        r = ssbnet.cell_rates([0.1, 1])
        out, _ = cli("cell", "rates", "--rates", "0.1,1", "--json", "--quiet")
        j = json.loads(out)["rates"]
        for i in range(2):
            for key in ("capacity_mAh_per_cm2", "specific_capacity_mAh_per_g", "energy_mWh_per_cm2",
                        "mean_voltage_V", "energy_density_Wh_per_kg", "current_mA_per_cm2"):
                self.assertAlmostEqual(r[key][i] / j[i][key], 1.0, delta=1e-12, msg=key)
            self.assertEqual(r.bottleneck[i], j[i]["bottleneck"])
        for k, v in json.loads(out)["cell"].items():
            self.assertAlmostEqual(r.cell[k], v, delta=1e-12 * abs(v), msg=k)
        self.assertEqual(r.cutoff_V, json.loads(out)["cutoff_V"])
        # issue 14's window for the default cell at C/10
        self.assertTrue(180 <= r.specific_capacity_mAh_per_g[0] <= 215)

    def test_generated_file_analyzed_as_the_cli(self):
        # `micro generate` writes IMAGE.phases.json; read_image(with_info=True) returned phases {} for it (the
        # library's readers do not read the table, the CLI does), so analyze had no roles. Now the table is read
        # and analyze(path) equals `micro analyze IMAGE --json` (active CAM, face-counted area, percolation)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.npy")
            cli("micro", "generate", "-o", path, "--size", "40", "--seed", "4", "--quiet")
            out, _ = cli("micro", "analyze", path, "--json", "--quiet")
            j = json.loads(out)["active_material"]
            a, info = ssbnet.read_image(path, with_info=True)
            self.assertEqual({k: p["role"] for k, p in info["phases"].items()},
                             {0: "pore", 1: "se", 2: "active", 3: "carbon"})
            self.assertAlmostEqual(info["phases"][1]["sigma_ion_S_per_m"], 0.195, delta=1e-12)  # Li6PS5Cl, 25 C
            for r in (ssbnet.analyze(path), ssbnet.analyze(a, {k: p["role"] for k, p in info["phases"].items()},
                                                           voxel_size=0.4e-6)):
                for k in ("active_fraction", "dead_no_e_fraction", "dead_no_li_fraction", "cam_fraction",
                          "active_cam_se_area_per_volume_face_1_per_m", "ionic_percolating_fraction",
                          "electronic_percolating_fraction", "particles", "particles_active"):
                    self.assertAlmostEqual(r[k], j[k], delta=1e-12 * max(1.0, abs(j[k])), msg=k)
            # percolation of a phase by its name in the file's table, in `micro analyze --json`'s layout
            cj = [ph for ph in json.loads(out)["phases"] if ph["name"] == "Li6PS5Cl"][0]
            p = ssbnet.percolation(path, "Li6PS5Cl")
            self.assertAlmostEqual(p.volume_fraction, cj["volume_fraction"], delta=1e-15)
            for ax in "xyz":
                self.assertEqual(p[ax]["percolates"], cj["percolation"][ax]["percolates"])
                for k in ("percolating_fraction", "dead_end_fraction", "isolated_fraction"):
                    self.assertAlmostEqual(p[ax][k], cj["percolation"][ax][k], delta=1e-15, msg=ax + k)
            with open(path + ".phases.json", "w") as fh:
                fh.write('{"phases": [{"label": 0, "role": "liquid"}]}')
            with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
                ssbnet.read_image(path, with_info=True)
            self.assertIn("phases[0].role 'liquid' is unknown", cm.exception.message)
            _, err = cli("micro", "analyze", path, "--quiet", rc=8)
            self.assertIn(cm.exception.message, err)

    def test_voxel_size_from_the_phase_table(self):
        # an array saved with numpy.save has no voxel size; its IMAGE.phases.json says 0.4 um, which the CLI takes
        # (else 1 um). The module took 1 um: areas per volume came out 0.4x the CLI's (1/h), currents 2.5x
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.npy")
            cli("micro", "generate", "-o", path, "--size", "40", "--seed", "4", "--quiet")
            bare = os.path.join(d, "bare.npy")
            np.save(bare, ssbnet.read_image(path))
            with open(path + ".phases.json") as fh, open(bare + ".phases.json", "w") as out:
                out.write(fh.read())
            self.assertEqual(ssbnet.read_image(bare, with_info=True)[1]["voxel_size_m"], (0.4e-6,) * 3)
            out, _ = cli("micro", "analyze", bare, "--json", "--quiet")
            key = "active_cam_se_area_per_volume_face_1_per_m"
            self.assertAlmostEqual(ssbnet.analyze(bare)[key] / json.loads(out)["active_material"][key], 1.0,
                                   delta=1e-12)
            # an explicit voxel_size wins over the table, as --voxel-um
            self.assertEqual(ssbnet.read_image(bare, voxel_size=1e-6, with_info=True)[1]["voxel_size_m"],
                             (1e-6,) * 3)

    def test_generated_file_carrier_and_write_back(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.npy")
            cli("micro", "generate", "-o", path, "--size", "40", "--seed", "4", "--quiet")
            a, info = ssbnet.read_image(path, with_info=True)
            # --carrier: database conductivities at --temperature-C (Li6PS5Cl 0.195 S/m at 25 C, the materials
            # database's value; more at 60 C), from the file's table, or from phases= for an array
            for t in (25, 60):
                out3, _ = cli("micro", "transport", path, "--phase", "Li6PS5Cl", "--carrier", "ion",
                              "--temperature-C", t, "--json", "--quiet")
                j3 = json.loads(out3)
                r3 = ssbnet.transport(path, "Li6PS5Cl", carrier="ion", temperature_C=t)
                self.assertAlmostEqual(r3.sigma_eff / j3["sigma_eff_S_per_m"], 1.0, delta=1e-12)
                self.assertAlmostEqual(r3.sigma_bulk / j3["sigma_bulk_S_per_m"], 1.0, delta=1e-12)
                if t == 25:
                    self.assertAlmostEqual(r3.sigma_bulk, 0.195, delta=1e-12)
                    r4 = ssbnet.transport(a, 1, carrier="ion", phases=info["phases"])
                    self.assertAlmostEqual(r4.sigma_eff / r3.sigma_eff, 1.0, delta=1e-9)
                else:
                    self.assertGreater(r3.sigma_bulk, 0.195)
            with self.assertRaises(ssbnet.SsbNotFoundError):
                ssbnet.transport(a, 1, carrier="ion")  # an array without a table has no materials
            # a table that leaves a label of the image undefined: the CLI refuses the image (exit 8)
            part = os.path.join(d, "part.npy")
            np.save(part, a)
            with open(part + ".phases.json", "w") as fh:
                fh.write('{"phases": [{"label": 1, "name": "LPS", "role": "se"}]}')
            _, err = cli("micro", "transport", part, "--phase", "LPS", "--quiet", rc=8)
            for fn in (ssbnet.transport, ssbnet.percolation):
                with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
                    fn(part, "LPS")
                self.assertIn(cm.exception.message, err)
            with self.assertRaises(ssbnet.SsbValueError):
                ssbnet.transport(path, 1, carrier="ion", temperature_C=2000)
            # a cathode generated in Python and written with its phase table reads in the CLI with its roles
            b, binfo = ssbnet.generate_cathode((40, 40, 40), seed=4, with_info=True)
            np.testing.assert_array_equal(b, a)  # the generator of `micro generate`, same seed
            own = os.path.join(d, "own.tif")
            ssbnet.write_image(own, b, voxel_size=0.4e-6, phases=binfo["phases"])
            out, _ = cli("micro", "analyze", path, "--json", "--quiet")
            out2, _ = cli("micro", "analyze", own, "--json", "--quiet")
            self.assertEqual(json.loads(out2)["active_material"]["active_fraction"],
                             json.loads(out)["active_material"]["active_fraction"])
            self.assertEqual(ssbnet.read_image(own, with_info=True)[1]["phases"][2]["role"], "active")

    def test_errors_carry_the_cli_message(self):
        missing = "/nonexistent/cathode.tif"
        with self.assertRaises(ssbnet.SsbFileError) as cm:
            ssbnet.read_image(missing)
        _, err = cli("micro", "transport", missing, "--phase", "0", rc=5)
        self.assertIn(cm.exception.message, err)
        self.assertEqual(cm.exception.code, "SSB_ERR_IO")
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "cell.json")
            with open(bad, "w") as fh:
                fh.write('{"positive": {"thickness_um": -5}}')
            with self.assertRaises(ssbnet.SsbError) as cm:
                ssbnet.cell_rates([1], cell=bad)
            p = subprocess.run([CLI, "cell", "rates", bad, "--rates", "1"], capture_output=True, text=True)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(cm.exception.message, p.stderr)
            self.assertIn("thickness", cm.exception.message)
        # a phase label the image does not hold: the CLI refuses it (exit 8, labels present 0, 85, 170); the
        # module must not return a non-percolating tau = inf for it but raise with the same words
        a = ssbnet.read_image(ELECTRODE)
        with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
            ssbnet.transport(a, phase=7, axis="z")
        _, err = cli("micro", "transport", ELECTRODE, "--phase", "7", "--axis", "z", "--quiet", rc=8)
        self.assertIn(cm.exception.message, err)
        self.assertIn("labels present: 0, 85, 170", cm.exception.message)
        with self.assertRaises(ssbnet.SsbNotFoundError):
            ssbnet.percolation(a, phase=[0, 7])
        # a phase name was taken letter by letter ("label 's' is invalid" for phase="se"): a name is looked up in
        # the image's IMAGE.phases.json as the CLI does, and a name nowhere raises naming it
        with tempfile.TemporaryDirectory() as d:
            img = os.path.join(d, "layers.npy")
            b = np.zeros((6, 4, 4), dtype=np.uint8)
            b[:, :, 2:] = 1  # two straight slabs along z: tau = 1 for each
            np.save(img, b)
            with open(img + ".phases.json", "w") as fh:
                fh.write('{"phases": [{"label": 0, "name": "pore", "role": "pore"}, '
                         '{"label": 1, "name": "Li6PS5Cl", "role": "se"}]}')
            r = ssbnet.transport(img, phase="Li6PS5Cl", axis="z")
            self.assertAlmostEqual(r.tau, 1.0, delta=1e-9)
            self.assertAlmostEqual(r.eps, 0.5, delta=1e-12)
            self.assertAlmostEqual(ssbnet.transport(img, phase=["Li6PS5Cl", "pore"], axis="z").eps, 1.0, delta=1e-12)
            with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
                ssbnet.transport(img, phase="se", axis="z")
            self.assertIn("'se'", cm.exception.message)
            self.assertIn("Li6PS5Cl = 1", cm.exception.message)
            with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
                ssbnet.transport(b, phase="se", axis="z")
            self.assertIn("no phase table", cm.exception.message)


class Analytic(unittest.TestCase):
    def test_straight_channels_and_series_layers(self):
        # Straight channels along z: tau = 1, sigma_eff = eps sigma.
        a = np.zeros((10, 8, 8), dtype=np.uint8)
        a[:, 2:6, 2:6] = 1
        r = ssbnet.transport(a, phase=1, axis="z", sigma={1: 2.0})
        self.assertAlmostEqual(r.tau, 1.0, delta=1e-9)
        self.assertAlmostEqual(r.sigma_eff, 2.0 * 16 / 64, delta=1e-9)
        self.assertFalse(ssbnet.transport(a, phase=1, axis="x").percolates)
        self.assertEqual(ssbnet.transport(a, phase=1, axis="x").tau, float("inf"))
        # fields of a phase without a path: None (the arrays were read from the NULL field pointers)
        r = ssbnet.transport(a, phase=1, axis="x", fields=True)
        self.assertEqual(r.tau, float("inf"))
        self.assertIsNone(r.potential)
        self.assertIsNone(r.current)
        # Two layers in series along z, sigma 1 and 3 (5 voxels each): sigma_eff = harmonic mean = 1.5.
        b = np.ones((10, 4, 4), dtype=np.uint8)
        b[5:] = 2
        r = ssbnet.transport(b, phase=[1, 2], axis="z", sigma={1: 1.0, 2: 3.0}, fields=True)
        self.assertAlmostEqual(r.sigma_eff, 1.5, delta=1e-8)
        self.assertEqual(r.potential.shape, b.shape)
        # current conservation: the same mean current density through every slice, equal to sigma_eff * 1 V / L
        j = r.current.mean(axis=(1, 2))
        L = 10 * 1e-6
        np.testing.assert_allclose(j, r.sigma_eff / L, rtol=1e-7)
        self.assertTrue(np.all(np.diff(r.potential[:, 0, 0]) < 0))

    def test_dtypes_and_layouts(self):
        rng = np.random.default_rng(3)
        a = (rng.random((12, 12, 12)) < 0.7).astype(np.uint8)
        ref = ssbnet.transport(a, phase=1).tau
        self.assertEqual(ssbnet.transport(a.astype(np.int32), phase=1).tau, ref)
        self.assertEqual(ssbnet.transport(a.astype(bool), phase=1).tau, ref)
        big = np.zeros((12, 12, 24), dtype=np.uint8)
        big[:, :, ::2] = a  # a non-contiguous view is copied, not misread
        self.assertEqual(ssbnet.transport(big[:, :, ::2], phase=1).tau, ref)
        # floats holding whole numbers are labels, as the CLI reads a float .npy; others name the first bad voxel
        self.assertEqual(ssbnet.transport(a.astype(np.float32), phase=1).tau, ref)
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.transport(a.astype(complex), phase=1)
        self.assertIn("complex128", str(cm.exception))
        wide = a.astype(np.int16)
        wide[2, 1, 0] = 300
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.transport(wide, phase=1)
        self.assertIn("gray value 300 at voxel (x=0, y=1, z=2) is not a label", str(cm.exception))
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.transport(a, phase=1, axis="w")
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.transport(np.zeros((2, 2, 2, 2), dtype=np.uint8), phase=1)

    def test_generate_and_analyze(self):
        a, info = ssbnet.generate_cathode((40, 40, 40), seed=5, with_info=True)
        counts = np.bincount(a.ravel(), minlength=4) / a.size
        for label, frac in info["fractions"].items():
            self.assertAlmostEqual(counts[label], frac, delta=1e-12)
        self.assertAlmostEqual(counts[2], 0.60, delta=0.01)  # default cell: 60 vol% CAM
        roles = {label: p["role"] for label, p in info["phases"].items()}
        r = ssbnet.analyze(a, roles, voxel_size=0.4e-6, classes=True)
        self.assertAlmostEqual(r.cam_fraction, counts[2], delta=1e-12)
        n_cam = np.count_nonzero(r.classes)
        self.assertAlmostEqual(r.active_fraction, np.count_nonzero(r.classes == 1) / n_cam, delta=1e-12)
        self.assertAlmostEqual(r.active_fraction + r.dead_no_e_fraction + r.dead_no_li_fraction +
                               r.dead_neither_fraction, 1.0, delta=1e-12)
        self.assertEqual(np.count_nonzero(r.classes[a != 2]), 0)
        p = ssbnet.percolation(a, phase=1)
        self.assertAlmostEqual(p.set_fraction, counts[1], delta=1e-12)
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.analyze(a, {0: "pore", 1: "electrolyte?", 2: "active", 3: "carbon"})

    def test_coated_cam_is_active(self):
        # NCM811 on the current collector (z = 0..5), a LiNbO3 coating layer (z = 6), Li6PS5Cl to the separator
        # (z = 7..11): the CAM touches the electrolyte only through the coating. LiNbO3 conducts Li+ (1e-6 to 1e-5
        # S/cm, Ohta et al. 2007, the database's range), so every CAM voxel is active, as `micro analyze` says;
        # the module set roles only, left the coating at 0 S/m and reported all CAM dead (no Li+ path)
        a = np.zeros((12, 6, 6), dtype=np.uint8)
        a[0:6], a[6], a[7:] = 2, 4, 1
        table = {1: {"name": "Li6PS5Cl", "role": "se"}, 2: {"name": "NCM811", "role": "active"},
                 4: {"name": "LiNbO3", "role": "coating", "material": "LiNbO3"}}
        r = ssbnet.analyze(a, table)
        self.assertEqual((r.active_fraction, r.dead_no_li_fraction), (1.0, 0.0))
        # a coating named by its role alone has no conductivity: it blocks Li+ (all dead), and the module says so
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = ssbnet.analyze(a, {1: "se", 2: "active", 4: "coating"})
        self.assertEqual((r.active_fraction, r.dead_no_li_fraction), (0.0, 1.0))
        self.assertEqual(len(w), 1)
        self.assertIn("coating label 4 has no Li+ conductivity", str(w[0].message))
        # the current collector on the other side: the CAM no longer touches it, no e- path
        r = ssbnet.analyze(a, table, cc_side="high")
        self.assertEqual(r.active_fraction, 0.0)
        if CLI and os.path.exists(CLI):
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "coated.npy")
                ssbnet.write_image(path, a, phases=table)
                for side in ("low", "high"):
                    out, _ = cli("micro", "analyze", path, "--cc-side", side, "--json", "--quiet")
                    j = json.loads(out)["active_material"]
                    r = ssbnet.analyze(path, cc_side=side)
                    for k in ("active_fraction", "dead_no_e_fraction", "dead_no_li_fraction",
                              "active_cam_se_area_per_volume_face_1_per_m"):
                        self.assertEqual(r[k], j[k], msg=side + " " + k)

    def test_image_round_trip(self):
        # labels and anisotropic voxel sizes survive every readable format
        rng = np.random.default_rng(11)
        a = rng.integers(0, 4, size=(5, 6, 7), dtype=np.uint8)
        with tempfile.TemporaryDirectory() as d:
            for ext in ("tif", "npy", "raw"):
                path = os.path.join(d, "img." + ext)
                ssbnet.write_image(path, a, voxel_size=(0.5e-6, 1e-6, 2e-6))
                back, info = ssbnet.read_image(path, with_info=True)
                np.testing.assert_array_equal(back, a, err_msg=ext)
                self.assertEqual(info["voxel_size_m"], (0.5e-6, 1e-6, 2e-6), msg=ext)

    def test_drt_of_one_rc(self):
        # One R||C (R = 10 Ohm, tau = 1 ms) in series with 2 Ohm: the DRT's polarisation resistance is R and its
        # single peak sits at tau (pyDRTtools' method; 1 % and 5 % tolerances for the regularised solution).
        f = np.logspace(-2, 6, 81)
        Z = ssbnet.eis_impedance("R0-p(R1,C1)", [2.0, 10.0, 1e-4], f)
        self.assertAlmostEqual(Z[0].real, 12.0, delta=1e-3)
        d = ssbnet.eis_drt(f, Z)
        self.assertAlmostEqual(d.R_pol_Ohm, 10.0, delta=0.1)
        self.assertAlmostEqual(d.R_inf_Ohm, 2.0, delta=0.05)
        self.assertEqual(len(d.peaks), 1)
        self.assertAlmostEqual(np.log10(d.peaks[0]["tau_s"]), -3.0, delta=0.05)
        fit = ssbnet.eis_fit(f, Z, "R0-p(R1,C1)")
        np.testing.assert_allclose(fit.parameter_values, [2.0, 10.0, 1e-4], rtol=1e-6)
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.eis_fit(f, Z.real, "R0-p(R1,C1)")
        with self.assertRaises(ssbnet.SsbError):
            ssbnet.eis_fit(f, Z, "R0-p(R1,C1")

    def test_discharge_conserves_charge(self):
        d = ssbnet.cell_discharge("Discharge at 1C until 3.5 V")
        # Q(t) is the integral of the current: trapezoid of I dt against the series, to the solver's accuracy.
        q = np.concatenate([[0], np.cumsum(0.5 * (d.current_A_per_m2[1:] + d.current_A_per_m2[:-1]) *
                                             np.diff(d.time_s))])
        self.assertAlmostEqual(q[-1] / d.capacity_C_per_m2[-1], 1.0, delta=1e-6)
        self.assertAlmostEqual(d.voltage_V[-1], 3.5, delta=1e-6)
        r = ssbnet.cell_rates([1])
        self.assertAlmostEqual(r.capacity_mAh_per_cm2[0] * 36000.0 / d.capacity_C_per_m2[-1], 1.0, delta=1e-9)


class TransportOptions(unittest.TestCase):
    def setUp(self):
        # straight channels along z (tau = 1, eps = 16/64) in a matrix of label 0
        self.a = np.zeros((10, 8, 8), dtype=np.uint8)
        self.a[:, 2:6, 2:6] = 1

    def test_axis_as_the_cli_takes_it(self):
        # `--axis Z` and `--axis 2` are z for the CLI (ssb_axis_parse); the module refused "Z" and 2
        for ax in ("z", "Z", 2, np.int64(2), b"z"):
            r = ssbnet.transport(self.a, phase=1, axis=ax)
            self.assertEqual(r.axis, "z")
            self.assertAlmostEqual(r.tau, 1.0, delta=1e-9)
        self.assertFalse(ssbnet.transport(self.a, phase=1, axis="X").percolates)  # channels are closed along x
        for bad in ("w", 3, -1, True, ["z"], None):
            with self.assertRaises(ssbnet.SsbValueError, msg=repr(bad)):
                ssbnet.transport(self.a, phase=1, axis=bad)
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.transport(self.a, phase=1, axis="w")
        self.assertEqual(cm.exception.message, "axis 'w' does not exist (valid: x, y or z)")

    def test_phases_and_conductivities_that_conduct_nothing(self):
        # phase=[] gave tau = inf, eps = 0 (no error); sigma 0 S/m on every chosen phase too, where the CLI says
        # "the chosen phases have zero conductivity" (exit 7); phase=1.0 raised "'float' object is not iterable"
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.transport(self.a, phase=[])
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.transport(self.a, phase=1, sigma={1: 0.0})
        self.assertEqual(cm.exception.code, "SSB_ERR_RANGE")
        self.assertIn("the chosen phases have zero conductivity", cm.exception.message)
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.transport(self.a, phase=1.0)
        self.assertIn("1.0 is invalid", cm.exception.message)
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.transport(self.a, phase=1, sigma={1: "fast"})
        # a label in sigma conducts as with --sigma: labels 0 and 1 at 1 S/m fill the box, tau = 1, eps = 1
        r = ssbnet.transport(self.a, phase=1, sigma={0: 1.0})
        self.assertAlmostEqual(r.eps, 1.0, delta=1e-12)
        self.assertAlmostEqual(r.tau, 1.0, delta=1e-9)

    @unittest.skipUnless(CLI and os.path.exists(CLI), "SSBNET_CLI not set")
    def test_sigma_label_not_in_image_as_the_cli(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ch.npy")
            np.save(path, self.a)
            _, err = cli("micro", "transport", path, "--phase", "1", "--sigma", "7:1", "--quiet", rc=8)
            with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
                ssbnet.transport(self.a, phase=1, sigma={7: 1.0})
            self.assertIn(cm.exception.message, err)
            _, err = cli("micro", "transport", path, "--phase", "1", "--sigma", "1:0", "--quiet", rc=7)
            self.assertIn("the chosen phases have zero conductivity", err)
            # labels outside 0..255 and unknown names: the CLI's words (exit 8), as SsbNotFoundError
            for bad in (-1, 300, "se"):
                _, err = cli("micro", "transport", path, "--phase", str(bad), "--quiet", rc=8)
                with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
                    ssbnet.transport(self.a, phase=bad)
                self.assertTrue(cm.exception.message.startswith(err.split("error: ", 1)[1].strip()), bad)
            _, err = cli("micro", "transport", path, "--phase", "7", "--quiet", rc=8)
            with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
                ssbnet.transport(self.a, phase="7")  # a label as text, as on the command line
            self.assertIn(cm.exception.message, err)
            with open(path + ".phases.json", "w") as fh:
                fh.write('{"phases": [{"label": 0, "name": "pore"}, {"label": 1, "name": "LPSCl", "role": "se"}]}')
            # --sigma by name: the channels at 2 S/m and the pore at 0 give sigma_eff = 2 * 16/64 (tau = 1)
            out, _ = cli("micro", "transport", path, "--phase", "LPSCl", "--sigma", "LPSCl:2", "--json", "--quiet")
            r = ssbnet.transport(path, phase="LPSCl", sigma={"LPSCl": 2.0})
            self.assertAlmostEqual(r.sigma_eff, 0.5, delta=1e-9)
            self.assertAlmostEqual(r.sigma_eff / json.loads(out)["sigma_eff_S_per_m"], 1.0, delta=1e-12)

    def test_not_converged_warns_or_raises(self):
        # one CG iteration on a random field: the CLI warns "axis z did not converge" (exit 0) and exits 9 with
        # --strict; the module returned converged = False without a word and had no strict / max_iter
        rng = np.random.default_rng(5)
        b = (rng.random((16, 16, 16)) < 0.7).astype(np.uint8)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = ssbnet.transport(b, phase=1, max_iter=1)
        self.assertFalse(r.converged)
        self.assertEqual(r.iterations, 1)
        self.assertTrue(any("did not converge" in str(x.message) for x in w))
        with self.assertRaises(ssbnet.SsbError) as cm:
            ssbnet.transport(b, phase=1, max_iter=1, strict=True)
        self.assertEqual(cm.exception.code, "SSB_ERR_NOCONV")
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.transport(b, phase=1, max_iter=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a converged solve warns nothing
            self.assertTrue(ssbnet.transport(b, phase=1).converged)

    def test_threads_argument(self):
        # threads=numpy.int64(2) (e.g. from a parameter grid) was refused as 'not an integer'; True was taken as 1
        self.assertAlmostEqual(ssbnet.transport(self.a, phase=1, threads=np.int64(2)).tau, 1.0, delta=1e-9)
        for bad in (-1, 2.5, True, "2"):
            with self.assertRaises(ssbnet.SsbValueError, msg=repr(bad)):
                ssbnet.transport(self.a, phase=1, threads=bad)

    def test_fields_outlive_the_result(self):
        # the potential is a copy owned by Python: valid after the Result is gone, and linear (1 V across the
        # 10 voxels of a straight channel, Dirichlet on the faces: phi = 1 - (k + 1/2) / 10 at cell centre k)
        r = ssbnet.transport(self.a, phase=1, fields=True)
        phi = r.potential
        del r
        import gc
        gc.collect()
        np.testing.assert_allclose(phi[:, 3, 3], 1.0 - (np.arange(10) + 0.5) / 10, atol=1e-7)
        self.assertTrue(phi.flags.owndata or phi.base is not None and phi.base.flags.owndata)


EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")


class Cells(unittest.TestCase):
    def test_cutoff_checked_as_the_cli(self):
        # cutoff above the initial OCV (4.3 V for the default cell) returned 0 mAh at every rate, cutoff=nan ran
        # to the exhausted electrode; the CLI refuses both (exit 7, exit 2)
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.cell_rates([1], cutoff=5.0)
        self.assertEqual(cm.exception.code, "SSB_ERR_RANGE")
        self.assertIn("not below the open-circuit voltage at the start (4.3000 V)", cm.exception.message)
        if CLI and os.path.exists(CLI):
            _, err = cli("cell", "rates", "--rates", "1", "--cutoff", "5", rc=7)
            self.assertIn("not below the open-circuit voltage at the start (4.3000 V)", err)
        for bad in (float("nan"), float("inf"), "x"):
            with self.assertRaises(ssbnet.SsbValueError):
                ssbnet.cell_rates([1], cutoff=bad)

    def test_unsustainable_rate_reported_as_the_cli(self):
        # 200C was refused ("valid: C-rates in (0, 100]") while `cell rates --rates 200` reports it: at 200C the
        # ohmic drop alone exceeds the 0.8 V between the OCV and the cut-off, so nothing is delivered
        r = ssbnet.cell_rates([200])
        self.assertFalse(r.sustained[0])
        self.assertEqual(r.capacity_mAh_per_cm2[0], 0.0)
        self.assertIn("not sustained: at 200C", r.reason[0])
        if CLI and os.path.exists(CLI):
            out, _ = cli("cell", "rates", "--rates", "200", "--json", "--quiet")
            self.assertEqual(r.reason[0], json.loads(out)["rates"][0]["reason"])
        for bad in ([0], [-1], [float("nan")], []):
            with self.assertRaises(ssbnet.SsbValueError):
                ssbnet.cell_rates(bad)

    def test_set_takes_the_json_keys_and_units(self):
        # the docstring said SI keys ({"positive.thickness": 80e-6}), which the library refuses; the keys are the
        # cell JSON's in its units (--set positive.thickness_um=80). The nominal capacity is proportional to the
        # positive electrode's thickness: 1C current at 80 um = 80/60 of the default's at 60 um
        with self.assertRaises(ssbnet.SsbNotFoundError) as cm:
            ssbnet.cell_rates([1], set={"positive.thickness": 80e-6})
        self.assertIn("positive.thickness_um", cm.exception.message)
        r60 = ssbnet.cell_rates([1])
        r80 = ssbnet.cell_rates([1], set={"positive.thickness_um": 80})
        self.assertAlmostEqual(r80.current_mA_per_cm2[0] / r60.current_mA_per_cm2[0], 80 / 60, delta=1e-12)
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.cell_rates([1], set={"positive.thickness_um": "thick"})
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.cell_rates([1], set=["positive.thickness_um=80"])

    @unittest.skipUnless(CLI and os.path.exists(CLI), "SSBNET_CLI not set")
    def test_discharge_steps_equal_cell_run(self):
        # another chemistry (Si-C | SE anode, examples/cell_si_c_se.json) at 2C: the step summary that
        # `cell run --json` gives (capacity, energy, Wh/L, Wh/kg: the example names its negative's carbon, so its
        # stack has a mass) and the series' last charge, 1 mAh/cm2 = 36000 C/m2
        cell = os.path.join(EXAMPLES, "cell_si_c_se.json")
        proto = "Discharge at 2C until 3.0 V"
        d = ssbnet.cell_discharge(proto, cell=cell)
        out, _ = cli("cell", "run", cell, "-p", proto, "--json", "--quiet")
        js = json.loads(out)["steps"]
        self.assertEqual(len(d.steps), len(js))
        st, j = d.steps[0], js[0]
        self.assertEqual(st.end, j["end"])
        self.assertEqual(st.bottleneck, j["bottleneck"])
        for k in ("t_end_s", "V_start_V", "V_end_V", "capacity_mAh_per_cm2", "specific_capacity_mAh_per_g",
                  "energy_mWh_per_cm2", "energy_density_Wh_per_L", "energy_density_Wh_per_kg"):
            self.assertAlmostEqual(st[k] / j[k], 1.0, delta=1e-12, msg=k)
        # the cell block ('cell' of the CLI's JSON; null stack mass for a cell without densities)
        for k, v in json.loads(out)["cell"].items():
            if v is None:
                self.assertTrue(np.isnan(d.cell[k]), k)
            else:
                self.assertAlmostEqual(d.cell[k], v, delta=1e-12 * max(1.0, abs(v)), msg=k)
        self.assertAlmostEqual(st.capacity_mAh_per_cm2 * 36000.0 / d.capacity_C_per_m2[-1], 1.0, delta=1e-12)

    @unittest.skipUnless(CLI and os.path.exists(CLI), "SSBNET_CLI not set")
    def test_bpx_cell_as_the_cli(self):
        # PyBaMM's BPX NMC pouch cell: cell=FILE refuses its keys ('unknown key Header', as the CLI without
        # --bpx); bpx=FILE imports it as --bpx, and the sweep equals `cell rates --bpx FILE --json`
        path = os.path.join(REF, "cell", "bpx", "nmc_pouch_cell_BPX.json")
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.cell_rates([1], cell=path)
        self.assertIn("unknown key 'Header'", cm.exception.message)
        r = ssbnet.cell_rates([0.5, 1], bpx=path)
        out, _ = cli("cell", "rates", "--bpx", path, "--rates", "0.5,1", "--json", "--quiet")
        for i, j in enumerate(json.loads(out)["rates"]):
            for key in ("capacity_mAh_per_cm2", "mean_voltage_V", "current_mA_per_cm2"):
                self.assertAlmostEqual(r[key][i] / j[key], 1.0, delta=1e-12, msg=key)
        self.assertGreater(r.capacity_mAh_per_cm2[0], r.capacity_mAh_per_cm2[1])  # less at the higher rate
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.cell_rates([1], cell=path, bpx=path)

    @unittest.skipUnless(CLI and os.path.exists(CLI), "SSBNET_CLI not set")
    def test_default_rates_are_the_clis(self):
        # cell_rates() swept 0.1 .. 2C (5 rates) where `cell rates` sweeps 0.1 .. 10C (8): the same call gave
        # another table
        out, _ = cli("cell", "rates", "--json", "--quiet")
        j = json.loads(out)["rates"]
        r = ssbnet.cell_rates()
        self.assertEqual(list(r.c_rate), [x["c_rate"] for x in j])
        for i, x in enumerate(j):
            self.assertAlmostEqual(r.capacity_mAh_per_cm2[i], x["capacity_mAh_per_cm2"], delta=1e-12)

    def test_run_main_job(self):
        # `ssbnet run` from Python. Without the structure (--no-micro) the rates equal the CLI's; with a small
        # generated cathode the hand-over is checked against its definitions: the SE network's tau is
        # eps * sigma_bulk / sigma_eff (TauFactor's convention) with Li6PS5Cl's 0.195 S/m at 25 C, and the cell
        # model takes the measured sigma_eff at the cell temperature (factor 1)
        r = ssbnet.run(rates=[1], micro=False)
        self.assertNotIn("handover", r)
        if CLI and os.path.exists(CLI):
            with tempfile.TemporaryDirectory() as d:
                out, _ = cli("run", "--no-micro", "--rates", "1", "-o", os.path.join(d, "out"), "--json", "--quiet")
            j = json.loads(out)
            for key in ("capacity_mAh_per_cm2", "energy_density_Wh_per_kg", "mean_voltage_V"):
                self.assertAlmostEqual(r.rates[key][0] / j["rates"][0][key], 1.0, delta=1e-12, msg=key)
            for key, v in j["cell"].items():
                self.assertAlmostEqual(r.cell[key], v, delta=1e-12 * abs(v), msg=key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the 26-voxel cross-section is narrower than four particles
            m = ssbnet.run(rates=[1], size=26, seed=2)
        ion = m.transport_z["ionic"]
        self.assertAlmostEqual(ion["tau"], ion["eps"] * 0.195 / ion["sigma_eff_S_per_m"], delta=1e-9 * ion["tau"])
        self.assertEqual(m.handover["cell_sigma_i_eff_S_per_m"], m.handover["transport_sigma_i_eff_S_per_m"])
        self.assertEqual(m.dimensions[:2], (26, 26))
        self.assertEqual(m.dimensions[2], round(60e-6 / m.voxel_size_m[2]))  # the 60 um cathode through z
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.run(rates=[0])

    def test_default_protocol_is_the_files(self):
        # `cell run CELL.json` runs the file's "protocol"; the module always ran "Discharge at 1C until 3.5 V"
        with tempfile.TemporaryDirectory() as dd:
            path = os.path.join(dd, "cell.json")
            with open(os.path.join(EXAMPLES, "cell.json")) as fh:
                c = json.load(fh)
            c["protocol"] = "Discharge at 2C for 10 minutes"
            with open(path, "w") as fh:
                json.dump(c, fh)
            d = ssbnet.cell_discharge(cell=path)
            self.assertEqual(d.protocol, "Discharge at 2C for 10 minutes")
            self.assertEqual(d.steps[0].end, "duration")
            self.assertAlmostEqual(d.time_s[-1], 600.0, delta=1e-9)
            # 2C for 1/6 h passes 1/3 of the nominal capacity
            one_c = ssbnet.cell_rates([1], cell=path).current_mA_per_cm2[0]
            self.assertAlmostEqual(d.steps[0].capacity_mAh_per_cm2 / one_c, 1.0 / 3.0, delta=1e-9)


class Spectra(unittest.TestCase):
    def test_read_spectrum_formats(self):
        # the library's readers, as `eis fit FILE` uses them: impedance.py's ZPlot file (53 points, 1 Hz to
        # 150 kHz; first data row 1.5e5 Hz, Z' 1493.7, Z'' 10.377 Ohm) and pyDRTtools' pandas CSV with an index
        # column and the header ",Freq,Real,Imag" (81 points from 0.01 Hz), which numpy.loadtxt cannot read
        f, Z = ssbnet.read_spectrum(os.path.join(REF, "eis", "impedance.py", "Circuit3_EIS_1.z"))
        self.assertEqual(f.size, 53)
        self.assertEqual((f[0], Z[0]), (1.5e5, 1493.7 + 10.377j))
        self.assertAlmostEqual(f.min(), 1.0, delta=1e-3)
        f, Z = ssbnet.read_spectrum(os.path.join(REF, "eis", "pyDRTtools", "1ZARC.csv"))
        self.assertEqual(f.size, 81)
        self.assertEqual(f[0], 0.01)
        f, Z = ssbnet.read_spectrum(EXAMPLE, drop_inductive=True)  # impedance.py's ignoreBelowX: 57 points
        self.assertEqual(f.size, 57)
        self.assertTrue(np.all(Z.imag <= 0))
        self.assertEqual(ssbnet.read_spectrum(EXAMPLE, fmax=1.0)[0].max(), 1.0)
        with self.assertRaises(ssbnet.SsbFileError):
            ssbnet.read_spectrum("/nonexistent/spectrum.csv")
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.csv")
            with open(bad, "w") as fh:
                fh.write("1,2,-3\n10,nan,-1\n")
            with self.assertRaises(ssbnet.SsbValueError) as cm:
                ssbnet.read_spectrum(bad)
            self.assertIn("bad.csv:2", cm.exception.message)

    def test_fit_from_a_file_with_the_cli_options(self):
        # impedance.py's documented local fit (tests/reference/eis/impedance.py/README.md, rerun at full
        # precision): R0 1.651873e-2, R1 8.676550e-3, C1 3.321426, R2 5.389963e-3, Wo1 6.309274e-2 / 232.5204,
        # C2 0.2195418, SSR 1.943017e-5, from the file with its inductive points dropped
        circuit = "R0-p(R1,C1)-p(R2-Wo1,C2)"
        r = ssbnet.eis_fit(EXAMPLE, circuit=circuit, guess=[.01, .01, 100, .01, .05, 100, 1], weight="unit",
                           drop_inductive=True)
        ref = [1.651873e-2, 8.676550e-3, 3.321426, 5.389963e-3, 6.309274e-2, 232.5204, 0.2195418]
        keep = [0, 1, 2, 3, 6]  # the Warburg pair is flagged (correlated): the bounded rerun's 6.37e-2, 2.38e2
        np.testing.assert_allclose(r.parameter_values[keep], np.array(ref)[keep], rtol=1e-3)
        np.testing.assert_allclose(r.parameter_values[4:6], [6.37e-2, 2.38e2], rtol=1e-2)
        self.assertLessEqual(r.rss, 1.95e-5)
        self.assertAlmostEqual(r.rss / 1.943017e-5, 1.0, delta=1e-3)
        self.assertEqual(r.npoints, 57)
        self.assertEqual(r.dof, 2 * 57 - 7)
        self.assertEqual(r.weight, "unit")
        self.assertEqual(set(r.flags), set(r.names))
        # a guess by name, and held parameters (--fix, impedance.py's constants) with only the free ones guessed
        r2 = ssbnet.eis_fit(EXAMPLE, circuit, guess=dict(zip(r.names, [.01, .01, 100, .01, .05, 100, 1])),
                            weight="unit", drop_inductive=True)  # (file, circuit) positionally, as eis fit FILE
        np.testing.assert_allclose(r2.parameter_values, r.parameter_values, rtol=1e-12)
        r3 = ssbnet.eis_fit(EXAMPLE, circuit=circuit, guess=[.01, .01, 100, .01, .05, 100], fix={"C2": 1.0},
                            weight="unit", drop_inductive=True)
        self.assertEqual(r3.parameters["C2"], 1.0)
        self.assertTrue(r3.fixed["C2"])
        self.assertEqual(r3.dof, 2 * 57 - 6)
        self.assertGreater(r3.rss, r.rss)  # holding C2 away from its optimum cannot fit better
        if CLI and os.path.exists(CLI):
            out, _ = cli("eis", "fit", EXAMPLE, "--circuit", circuit, "--guess", ".01,.01,100,.01,.05,100",
                         "--fix", "C2=1", "--weight", "unit", "--drop-inductive", "--json", "--quiet")
            j = json.loads(out)
            for name, v in j["parameters"].items():
                self.assertAlmostEqual(r3.parameters[name] / v, 1.0, delta=1e-9, msg=name)
            self.assertEqual(r3.flags, j["flags"])
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.eis_fit(EXAMPLE, circuit=circuit, guess={"R9": 1.0})
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.eis_fit(EXAMPLE, circuit=circuit, fix=[1.0])
        self.assertIn("fix must be {name: value}", cm.exception.message)
        with self.assertRaises(ssbnet.SsbValueError):
            ssbnet.eis_fit(EXAMPLE, np.ones(66, complex), circuit)  # a file and Z

    def test_fit_capacitances(self):
        # R0-p(R1,CPE1)-p(R2,C2) on impedance.py's spectrum: the CLI's "capacitances" (Hirschorn's effective
        # capacitance of the R||CPE arc, C2 itself for the ideal one) were missing from the module's fit
        r = ssbnet.eis_fit(EXAMPLE, "R0-p(R1,CPE1)-p(R2,C2)", drop_inductive=True)
        self.assertEqual([c["element"] for c in r.capacitances], ["CPE1", "C2"])
        p = r.parameters
        Q, n, R = p["CPE1_0"], p["CPE1_1"], p["R1"]
        self.assertAlmostEqual(r.capacitances[0]["C_eff_F"] / (Q * R ** (1 - n)) ** (1 / n), 1.0, delta=1e-12)
        self.assertAlmostEqual(r.capacitances[0]["f_max_Hz"] * 2 * np.pi * (R * Q) ** (1 / n), 1.0, delta=1e-12)
        self.assertEqual(r.capacitances[1]["C_eff_F"], p["C2"])
        if CLI and os.path.exists(CLI):
            out, _ = cli("eis", "fit", EXAMPLE, "--circuit", "R0-p(R1,CPE1)-p(R2,C2)", "--drop-inductive", "--json",
                         "--quiet")
            for mine, theirs in zip(r.capacitances, json.loads(out)["capacitances"]):
                self.assertEqual(set(mine), set(theirs))
                for k, v in theirs.items():
                    if isinstance(v, float):
                        self.assertAlmostEqual(mine[k], v, delta=1e-12 * abs(v), msg=k)
                    else:
                        self.assertEqual(mine[k], v, msg=k)

    def test_drt_keys_and_lambda(self):
        # one R||C (R = 10 Ohm, C = 1e-4 F: tau = 1 ms) after 2 Ohm: the CLI's keys R_inf, R_pol and the peak's
        # f = 1 / (2 pi tau) read from the Result; lam <= 0 silently fell back to GCV (the CLI: exit 2)
        f = np.logspace(-2, 6, 81)
        Z = ssbnet.eis_impedance("R0-p(R1,C1)", [2.0, 10.0, 1e-4], f)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GCV at the edge of its range for exact data: the CLI's warning
            d = ssbnet.eis_drt(f, Z)
        self.assertAlmostEqual(d["R_pol"], 10.0, delta=0.1)
        self.assertAlmostEqual(d.R_inf, 2.0, delta=0.05)
        self.assertEqual(d["tau"] is d.tau_s, True)
        pk = d.peaks[0]
        self.assertAlmostEqual(pk["f"] * 2 * np.pi * pk["tau"], 1.0, delta=1e-12)
        self.assertAlmostEqual(np.log10(pk.f_Hz), np.log10(1 / (2 * np.pi * 1e-3)), delta=0.05)
        for bad in (-1, 0, float("nan")):
            with self.assertRaises(ssbnet.SsbValueError):
                ssbnet.eis_drt(f, Z, lam=bad)
        self.assertAlmostEqual(ssbnet.eis_drt(f, Z, lam=1e-3)["lambda"], 1e-3, delta=0)


class ImagesAndGenerator(unittest.TestCase):
    def test_voxel_size_in_micrometres_warns(self):
        # voxel_size=0.4 (micrometres, as --voxel-um 0.4) is a 40 cm voxel here: tau is the same, but currents and
        # areas are off by 1e6; the module took it silently
        a = np.ones((4, 4, 4), dtype=np.uint8)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = ssbnet.transport(a, phase=1, voxel_size=0.4)
        self.assertAlmostEqual(r.tau, 1.0, delta=1e-12)
        self.assertTrue(any("sizes here are in metres" in str(x.message) for x in w))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ssbnet.transport(a, phase=1, voxel_size=0.4e-6)

    def test_unsupported_formats(self):
        # .png / .vti raised the bare SsbError (the library's SSB_ERR_UNSUPPORTED had no class): now
        # SsbValueError (a ValueError), with the library's words
        a = np.zeros((4, 5, 6), dtype=np.uint8)
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(ValueError) as cm:
                ssbnet.write_image(os.path.join(d, "img.png"), a)
            self.assertIn("is not a supported image format", str(cm.exception))
            ssbnet.write_image(os.path.join(d, "img.vti"), a)
            with self.assertRaises(ssbnet.SsbValueError) as cm:
                ssbnet.read_image(os.path.join(d, "img.vti"))
            self.assertEqual(cm.exception.code, "SSB_ERR_UNSUPPORTED")

    def test_generator_arguments(self):
        # voxel_size=(0.4e-6, 0.4e-6, 0.8e-6) generated with 0.4 um everywhere and reported (4e-7,)*3; seed=-1 gave
        # OverflowError "can't convert negative number to unsigned"
        with self.assertRaises(ssbnet.SsbValueError) as cm:
            ssbnet.generate_cathode((30, 30, 30), voxel_size=(0.4e-6, 0.4e-6, 0.8e-6))
        self.assertIn("cubic voxels", cm.exception.message)
        for bad in (-1, 1.5, True):
            with self.assertRaises(ssbnet.SsbValueError, msg=repr(bad)):
                ssbnet.generate_cathode((30, 30, 30), seed=bad)
        a, info = ssbnet.generate_cathode((30, 30, 30), voxel_size=(0.4e-6,) * 3, seed=np.int64(3), with_info=True)
        self.assertEqual(info["voxel_size_m"], (0.4e-6,) * 3)


class Errors(unittest.TestCase):
    def test_errors_survive_a_process_pool(self):
        # an SsbError raised in a worker (a parameter sweep with concurrent.futures) is pickled to the parent;
        # unpickling called SsbError(message) and failed with "missing 1 required positional argument"
        import pickle
        with self.assertRaises(ssbnet.SsbFileError) as cm:
            ssbnet.read_image("/nonexistent/cathode.tif")
        back = pickle.loads(pickle.dumps(cm.exception))
        self.assertIs(type(back), ssbnet.SsbFileError)
        self.assertEqual((back.status, back.code, back.message), (cm.exception.status, "SSB_ERR_IO",
                                                                  cm.exception.message))
        self.assertEqual(str(back), str(cm.exception))


class Contexts(unittest.TestCase):
    def test_contexts_are_freed_without_the_garbage_collector(self):
        # each call's library context holds a handle to itself for the log callback (a reference cycle): closing
        # it breaks the cycle, so 200 calls do not leave 200 contexts (and their error buffers) to the collector
        import gc
        from ssbnet._lib import Context
        a = np.ones((4, 4, 4), dtype=np.uint8)
        gc.collect()
        gc.disable()
        try:
            for _ in range(200):
                ssbnet.transport(a, phase=1)
            alive = [o for o in gc.get_objects() if isinstance(o, Context)]
        finally:
            gc.enable()
        self.assertLessEqual(len(alive), 1)


class Loading(unittest.TestCase):
    def _import(self, library):
        pkg = os.path.dirname(os.path.dirname(os.path.abspath(ssbnet.__file__)))  # the package under test
        env = dict(os.environ, SSBNET_LIBRARY=library, PYTHONPATH=pkg)
        p = subprocess.run([sys.executable, "-c", "import ssbnet"], capture_output=True, text=True, env=env,
                           cwd=tempfile.gettempdir())
        self.assertNotEqual(p.returncode, 0)
        return p.stderr.strip().splitlines()[-1]

    def test_wrong_ssbnet_library_says_what_is_wrong(self):
        # SSBNET_LIBRARY at a directory without the extension said "tried: nothing: SSBNET_LIBRARY is empty"; at
        # the static library or another file "was not found (tried: FILE)" although the file is there; a file
        # with the extension's name that is no ELF object gave a bare "invalid ELF header"
        with tempfile.TemporaryDirectory() as d:
            msg = self._import(d)
            self.assertIn("is a directory without the extension", msg)
            self.assertIn(d, msg)
            other = os.path.join(d, "libssbnet.a")
            open(other, "wb").close()
            msg = self._import(other)
            self.assertIn("is not a Python extension of this interpreter", msg)
            self.assertIn("does not exist", self._import(os.path.join(d, "nothing_here.so")))
            fake = os.path.join(d, "_ssbnet" + importlib.machinery.EXTENSION_SUFFIXES[0])
            with open(fake, "wb") as fh:
                fh.write(b"not an ELF file")
            msg = self._import(fake)
            self.assertIn("cannot load " + fake, msg)
            self.assertIn("SSBNET_LIBRARY", msg)


if __name__ == "__main__":
    unittest.main()
