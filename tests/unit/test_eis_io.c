/* eis: spectrum readers (CSV with and without header, pandas export, decimal commas, blanks, ZPlot .z, BioLogic
 * .mpt, Gamry .DTA), every bad-input path with its error code and a message naming file, line and value, and the
 * atomic CSV writers. */
#include "testutil.h"

#include <ssbnet/ssb_eis.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *write_file(const char *name, const char *text)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, 512, "%s/%s", tu_tmpdir(), name);
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return p;
}

static void expect_read(ssb_ctx *ctx, const char *name, const char *text, int code, const char *n1, const char *n2)
{
    const char *p = write_file(name, text);
    ssb_eis_spectrum *s = NULL;
    int rc = ssb_eis_spectrum_read(ctx, p, SSB_EIS_FORMAT_AUTO, &s);
    if (rc != code) fail_msg("%s: rc %s, expected %s (%s)", name, ssb_errcode_name(rc), ssb_errcode_name(code), ssb_ctx_get_error(ctx));
    assert_null(s);
    const char *msg = ssb_ctx_get_error(ctx);
    if (!strstr(msg, name)) fail_msg("%s: message '%s' does not name the file", name, msg);
    if (n1 && !strstr(msg, n1)) fail_msg("%s: message '%s' lacks '%s'", name, msg, n1);
    if (n2 && !strstr(msg, n2)) fail_msg("%s: message '%s' lacks '%s'", name, msg, n2);
}

static void test_csv_variants(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = NULL;
    /* no header, three columns */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("a.csv", "1000,12.5,-3.25\n100,14.75,-8.5\n10,20.125,-4\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 3);
    assert_true(s->f[1] == 100 && s->zre[1] == 14.75 && s->zim[2] == -4);
    ssb_eis_spectrum_destroy(&s);
    /* pandas export with an index column, columns in another order, CRLF line ends */
    TU_OK(ctx, ssb_eis_spectrum_read(
                   ctx, write_file("b.csv", ",Imag,Freq,Real\r\n0,-1.5,0.1,7.25\r\n1,-2.5,1,6.5\r\n2,-0.75,10,5.125\r\n"),
                   SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 3);
    assert_true(s->f[2] == 10 && s->zre[2] == 5.125 && s->zim[0] == -1.5);
    ssb_eis_spectrum_destroy(&s);
    /* "-Z''" header negates; units in brackets; '#' comments; blank lines */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx,
                                     write_file("c.txt", "# measured at 25 C\nf [Hz]\tZ' [Ohm]\t-Z'' [Ohm]\n\n"
                                                         "5e3\t1.5\t0.25\n5e2\t1.75\t0.5\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->n == 2 && s->zim[0] == -0.25 && s->zim[1] == -0.5);
    ssb_eis_spectrum_destroy(&s);
    /* semicolons and decimal commas (European spreadsheet export) */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("d.csv", "Frequency;Re;Im\n2,5;3,125;-0,5\n25;3;-1,25\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->n == 2 && s->f[0] == 2.5 && s->zre[0] == 3.125 && s->zim[1] == -1.25);
    ssb_eis_spectrum_destroy(&s);
    /* tabs and decimal commas (EC-Lab / spreadsheet text export in a European locale), with and without a header:
       the commas were taken for the delimiter, the first data row for a header and the next row refused */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("d2.txt", "freq/Hz\tRe(Z)/Ohm\tIm(Z)/Ohm\r\n1000,5\t10,25\t-3,5\r\n"
                                                              "100\t12,75\t-5\r\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->n == 2 && s->f[0] == 1000.5 && s->zre[0] == 10.25 && s->zim[0] == -3.5 && s->zre[1] == 12.75);
    ssb_eis_spectrum_destroy(&s);
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("d3.txt", "1000,5\t10,25\t-3,5\n100\t12,75\t-5\n10\t15\t-4\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->n == 3 && s->f[0] == 1000.5 && s->zim[0] == -3.5 && s->f[2] == 10);
    ssb_eis_spectrum_destroy(&s);
    /* blanks and decimal commas; a comma-separated row with blanks after the commas stays comma-separated */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("d4.txt", "1000,5  10,25 -3,5\n100 12,75 -5\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->n == 2 && s->f[0] == 1000.5 && s->zre[0] == 10.25 && s->zim[1] == -5);
    ssb_eis_spectrum_destroy(&s);
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("d5.csv", "1000, 10, -3\n100, 12.5, -5.5\n"), SSB_EIS_FORMAT_AUTO,
                                     &s));
    assert_true(s->n == 2 && s->f[0] == 1000 && s->zre[1] == 12.5 && s->zim[1] == -5.5);
    ssb_eis_spectrum_destroy(&s);
    /* a sample name or an instrument preamble above the header (the header is the last text line before the first
       data row; before, the title was taken for the header and the header row refused as data) */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("d6.csv", "Sample: LLZO pellet, 25 C\nDate 2026-12-04\n\n"
                                                              "Imag,Freq,Real\n-3.5,1000,10.25\n-5,100,12.75\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->n == 2 && s->f[0] == 1000 && s->zre[0] == 10.25 && s->zim[1] == -5);
    ssb_eis_spectrum_destroy(&s);
    /* unnamed header falls back to the first three columns */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("e.csv", "a,b,c\n3,1.5,-1\n4,1.25,-2\n"), SSB_EIS_FORMAT_AUTO,
                                     &s));
    assert_true(s->n == 2 && s->f[1] == 4);
    ssb_eis_spectrum_destroy(&s);
    /* blanks-separated reference file (pyDRTtools zarc_data.txt, 81 rows from 1 MHz down) */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/pyDRTtools/zarc_data.txt"), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 81);
    TU_ASSERT_REL(s->zre[0], 9.953881, 1e-12);
    TU_ASSERT_REL(s->zim[2], -0.105269, 1e-12);
    ssb_eis_spectrum_destroy(&s);
    ssb_ctx_destroy(&ctx);
}

static void test_instrument_formats(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = NULL;
    /* ZPlot (impedance.py's Circuit3_EIS_1.z): 53 points from 150 kHz; last row 1 Hz, 6137.5 + 17.89j */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/impedance.py/Circuit3_EIS_1.z"), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 53);
    TU_ASSERT_REL(s->f[52], 1.0, 1e-12);
    TU_ASSERT_REL(s->zre[52], 6137.5, 1e-12);
    TU_ASSERT_REL(s->zim[52], 17.89, 1e-12);
    ssb_eis_spectrum_destroy(&s);
    /* BioLogic EC-Lab export: "-Im(Z)/Ohm" column, decimal commas, columns after the impedance ones */
    const char *mpt = "EC-Lab ASCII FILE\r\nNb header lines : 5\r\n\r\nPotentio Electrochemical Impedance "
                      "Spectroscopy\r\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\t|Z|/Ohm\tPhase(Z)/deg\ttime/s\r\n"
                      "1,000000E+005\t2,530000E+001\t1,250000E+000\t25,3\t-2,8\t1,0\r\n"
                      "1,000000E+004\t2,612500E+001\t4,500000E+000\t26,5\t-9,7\t2,0\r\n"
                      "1,000000E+003\t3,100000E+001\t9,750000E+000\t32,5\t-17,4\t3,0\r\n";
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("cell_C01.mpt", mpt), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 3);
    assert_true(s->f[0] == 1e5 && s->zre[1] == 26.125 && s->zim[2] == -9.75);
    ssb_eis_spectrum_destroy(&s);
    /* Gamry .DTA: ZCURVE TABLE, header and units lines, rows start with a tab, Zimag signed */
    const char *dta = "EXPLAIN\r\nTAG\tEISPOT\r\nTITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier\r\n"
                      "ZCURVE\tTABLE\r\n\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange\r\n"
                      "\t#\ts\tHz\tohm\tohm\tV\tohm\t\xb0\tA\tV\t#\r\n"
                      "\t0\t1\t100019.5\t224.6075\t-3.767681\t1\t224.6391\t-0.961018\t2.4E-006\t1.299216\t10\r\n"
                      "\t1\t3\t79511.72\t224.712\t-4.283262\t1\t224.7528\t-1.091989\t1.8E-006\t1.299205\t10\r\n"
                      "\t2\t4\t63105.47\t225.1894\t-4.847088\t1\t225.2416\t-1.233072\t1.6E-006\t1.299213\t10\r\n"
                      "EXPERIMENTABORTED\tTOGGLE\tT\tExperiment Aborted\r\n";
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("run.DTA", dta), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 3);
    assert_true(s->f[0] == 100019.5 && s->zre[2] == 225.1894 && s->zim[1] == -4.283262);
    ssb_eis_spectrum_destroy(&s);
    /* detection by content when the extension says nothing */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("run_gamry.txt", dta), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 3);
    ssb_eis_spectrum_destroy(&s);
    assert_string_equal(ssb_eis_format_name(SSB_EIS_FORMAT_BIOLOGIC), "biologic");
    ssb_ctx_destroy(&ctx);
}

/* Frequency and impedance units from the column names (CSV, BioLogic) and from Gamry's units line; checked
 * counts in file headers (issue 8 defect 3: "Nb header lines : -9223372036854775808" was signed overflow). */
static void test_units_and_counts(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("khz.csv", "Frequency (kHz),Z' [kOhm],-Z'' [kOhm]\n"
                                                                "100,1.5,0.25\n1,2.5,1.5\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->f[0] == 1e5 && s->f[1] == 1e3 && s->zre[0] == 1500 && s->zim[1] == -1500);
    ssb_eis_spectrum_destroy(&s);
    /* mHz is milli, MHz is mega */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("mhz.csv", "f/mHz,Zre/Ohm,Zim/Ohm\n500,10,-1\n100,11,-2\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    TU_ASSERT_REL(s->f[0], 0.5, 1e-15);
    TU_ASSERT_REL(s->f[1], 0.1, 1e-15);
    ssb_eis_spectrum_destroy(&s);
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("MHz.csv", "f [MHz],Zre [mOhm],Zim [mOhm]\n2,10,-1\n1,11,-2\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->f[0] == 2e6 && s->f[1] == 1e6);
    TU_ASSERT_REL(s->zre[0], 0.01, 1e-15);
    ssb_eis_spectrum_destroy(&s);
    /* BioLogic with freq/kHz */
    const char *mpt = "EC-Lab ASCII FILE\nNb header lines : 4\n\nfreq/kHz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n"
                      "1,0\t2,5\t1,0\n0,1\t3,0\t2,0\n";
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("k.mpt", mpt), SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->f[0] == 1000 && s->zim[1] == -2.0);
    TU_ASSERT_REL(s->f[1], 100, 1e-14);
    ssb_eis_spectrum_destroy(&s);
    /* Gamry: the units line says kHz */
    const char *dta = "EXPLAIN\nZCURVE\tTABLE\n\tPt\tFreq\tZreal\tZimag\n\t#\tkHz\tohm\tohm\n"
                      "\t0\t100\t224.5\t-3.75\n\t1\t10\t225\t-4.5\n";
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("k.DTA", dta), SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->f[0] == 1e5 && s->f[1] == 1e4 && s->zre[0] == 224.5);
    ssb_eis_spectrum_destroy(&s);
    expect_read(ctx, "uhz.csv", "f (uHz),re,im\n1,2,-3\n", SSB_ERR_FORMAT, "uHz", "unknown unit");
    expect_read(ctx, "uhz.DTA", "EXPLAIN\nZCURVE\tTABLE\n\tPt\tFreq\tZreal\tZimag\n\t#\tuHz\tohm\tohm\n\t0\t1\t2\t-3\n",
                SSB_ERR_FORMAT, "uHz", NULL);
    /* header counts: overflow, negative, zero, beyond the file, words */
    const char *bad[] = {"-9223372036854775808", "9223372036854775808", "99999999999999999999", "-1", "0", "4 x",
                         "abc", "", "1e3"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char txt[512];
        snprintf(txt, sizeof txt, "EC-Lab ASCII FILE\nNb header lines : %s\n\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n1\t2\t3\n",
                 bad[k]);
        expect_read(ctx, "count.mpt", txt, SSB_ERR_FORMAT, "Nb header lines", NULL);
    }
    expect_read(ctx, "many.mpt",
                "EC-Lab ASCII FILE\nNb header lines : 1000\n\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n1\t2\t3\n",
                SSB_ERR_FORMAT, "1000", "1..");
    expect_read(ctx, "count.z", "ZPLOT2 ASCII\nData Points: -9223372036854775808\nEnd Comments\n1 0 0 0 2 -3\n",
                SSB_ERR_FORMAT, "Data Points", NULL);
    print_message("PASS units kHz/mHz/MHz/kOhm/mOhm from names and Gamry's units line; header counts checked\n");
    ssb_ctx_destroy(&ctx);
}

/* Real-world exports (session 11 round 3). Angular frequencies: "Frequency (rad/s)" was read as Hz (its unit taken
 * after the last '/', "s)"), so every capacitance came out 2 pi too small; omega = 2 pi f exactly, so 6283.185307179586
 * rad/s is 1000 Hz. Area-specific impedances ("Ohm cm2") were read as Ohm without a word. Gamry writes numbers in
 * the locale's format ("8,47309E-004", gamry-parser issue 12; impedance.py PR 223), refused before. ZPlot rows
 * separated by ", " and ZPlotW files without 'End Comments' (impedance.py's exampleDataZPlot_noComments.z, read
 * there with re.split('\t|, ')) were refused. */
static void test_real_world_exports(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = NULL;
    const char *angular[] = {"Frequency (rad/s),Zre,Zim\n", "omega,Zre,Zim\n", "Angular frequency [rad s-1],Zre,Zim\n",
                             "w / rad/s,Zre,Zim\n"};
    for (size_t k = 0; k < sizeof angular / sizeof angular[0]; k++) {
        char txt[256];
        snprintf(txt, sizeof txt, "%s6283.185307179586,10,-1\n628.3185307179586,11,-2\n", angular[k]);
        int rc = ssb_eis_spectrum_read(ctx, write_file("omega.csv", txt), SSB_EIS_FORMAT_AUTO, &s);
        if (rc != SSB_OK && k == 3) { /* "w" alone is not a frequency name: refused, never read as Hz */
            assert_int_equal(rc, SSB_ERR_FORMAT);
            continue;
        }
        TU_OK(ctx, rc);
        TU_ASSERT_REL(s->f[0], 1000.0, 1e-15);
        TU_ASSERT_REL(s->f[1], 100.0, 1e-15);
        ssb_eis_spectrum_destroy(&s);
    }
    expect_read(ctx, "asr.csv", "Frequency/Hz,Z'/Ohm cm2,-Z''/Ohm cm2\n1000,10,1\n", SSB_ERR_FORMAT, "Ohm cm2",
                "area-specific");
    expect_read(ctx, "asr2.csv", "f [Hz];Z' [\xce\xa9\xc2\xb7" "cm\xc2\xb2];Z'' [\xce\xa9\xc2\xb7" "cm\xc2\xb2]\n1000;10;-1\n",
                SSB_ERR_FORMAT, "area-specific", NULL);
    expect_read(ctx, "per_s.csv", "Freq (s-1),Zre,Zim\n1000,10,-1\n", SSB_ERR_FORMAT, "s-1", "unknown unit");
    expect_read(ctx, "omega_hz.csv", "omega (Hz),Zre,Zim\n1000,10,-1\n", SSB_ERR_FORMAT, "omega", "unit");
    /* Gamry in a German locale */
    const char *dta = "EXPLAIN\r\nTAG\tEISPOT\r\nZCURVE\tTABLE\r\n\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\r\n"
                      "\t#\ts\tHz\tohm\tohm\tV\tohm\r\n"
                      "\t0\t1\t100019,5\t224,6075\t-3,767681\t1\t224,6391\r\n"
                      "\t1\t3\t79511,72\t224,712\t-4,283262E+000\t1\t224,7528\r\n";
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("de.DTA", dta), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 2);
    assert_true(s->f[0] == 100019.5 && s->zre[0] == 224.6075 && s->zim[1] == -4.283262);
    ssb_eis_spectrum_destroy(&s);
    /* ZPlot rows separated by ", " */
    const char *zc = "ZPLOT2 ASCII\n  Data Points:                2\n"
                     "  Freq(Hz)\tAmpl\tBias\tTime(Sec)\tZ'(a)\tZ''(b)\tGD\tErr\tRange\nEnd Comments\n"
                     "3.000000E+05, 1.0000E-02, 0.0000E+00, 2.580000E+00, 6.4262E+02, -8.5821E+01, 0.0000E+00, 0, 5\n"
                     "2.382985E+05, 1.0000E-02, 0.0000E+00, 3.280000E+00, 6.7477E+02, -1.1931E+02, 0.0000E+00, 0, 5\n";
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("comma.z", zc), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 2);
    assert_true(s->f[1] == 2.382985e5 && s->zre[0] == 642.62 && s->zim[1] == -119.31);
    ssb_eis_spectrum_destroy(&s);
    /* ZPlotW: no 'End Comments', a quoted names line, then the rows */
    const char *zw = "\"ZPlotW Data File: Version 3.2c\"\n\"Raw Data\"\n\"Sweep Frequency: Control Voltage\"\n"
                     "Date: 12-17-2019    Time: 16:24:35\n\"Frequency\"\n0,3,0,1,300000,0.005\n2\n"
                     "\"  Freq(Hz)    Ampl     Bias   Time(Sec)   Z'(a)    Z''(b)    GD   Err   Range\"\n"
                     "3.000000E+05, 1.0000E-02, 0.0000E+00, 2.580000E+00, 6.4262E+02, -8.5821E+01, 0.0000E+00, 0, 5\n"
                     "2.382985E+05, 1.0000E-02, 0.0000E+00, 3.280000E+00, 6.7477E+02, -1.1931E+02, 0.0000E+00, 0, 5\n";
    const char *zw_names[] = {"zplotw.z", "zplotw.txt"}; /* by its first line when the extension says nothing */
    for (int k = 0; k < 2; k++) {
        TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file(zw_names[k], zw), SSB_EIS_FORMAT_AUTO, &s));
        assert_int_equal(s->n, 2);
        assert_true(s->f[0] == 3e5 && s->zre[1] == 674.77 && s->zim[0] == -85.821);
        ssb_eis_spectrum_destroy(&s);
    }
    /* Modulus and phase only (LCR meters; NOVA's "Z (Ohm)" and "-Phase (deg sign)"): refused before ("not the Z', Z''
       column"); now Z' = |Z| cos(phase), Z'' = |Z| sin(phase): |Z| = 2 at -30 degrees is sqrt(3) - 1 i. */
    const char *polar[] = {"Frequency [Hz],|Z| [Ohm],Phase [deg]\n1000,2,-30\n100,4,-90\n",
                           "Frequency (Hz);Z (\xce\xa9);-Phase (\xc2\xb0)\n1000;2;30\n100;4;90\n",
                           "f/Hz\tZmod/kOhm\ttheta/rad\n1000\t0.002\t-0.52359877559829882\n100\t0.004\t-1.5707963267948966\n"};
    for (size_t k = 0; k < sizeof polar / sizeof polar[0]; k++) {
        TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("polar.csv", polar[k]), SSB_EIS_FORMAT_AUTO, &s));
        assert_int_equal(s->n, 2);
        TU_ASSERT_REL(s->zre[0], sqrt(3.0), 1e-14);
        TU_ASSERT_REL(s->zim[0], -1.0, 1e-14);
        TU_ASSERT_REL(s->zim[1], -4.0, 1e-14);
        assert_true(fabs(s->zre[1]) < 1e-14);
        ssb_eis_spectrum_destroy(&s);
    }
    expect_read(ctx, "phase_nounit.csv", "Frequency,|Z|,Phase\n1000,2,-30\n", SSB_ERR_FORMAT, "'Phase'", "deg");
    print_message("PASS |Z| and phase columns (deg, rad; a phase without unit refused); rad/s and omega columns "
                  "divided by 2 pi; Ohm cm2 refused; Gamry decimal commas; ZPlot ', ' "
                  "rows and ZPlotW files without End Comments\n");
    ssb_ctx_destroy(&ctx);
}

static void test_bad_input(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = NULL;
    char missing[512];
    snprintf(missing, sizeof missing, "%s/no_such_file.csv", tu_tmpdir());
    assert_int_equal(ssb_eis_spectrum_read(ctx, missing, SSB_EIS_FORMAT_AUTO, &s), SSB_ERR_IO);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "no_such_file.csv"));
    expect_read(ctx, "empty.csv", "", SSB_ERR_FORMAT, "empty", NULL);
    {
        /* UTF-16LE with its byte-order mark: named as such, not "a binary file" */
        const char *p = write_file("utf16.csv", "");
        FILE *fp = fopen(p, "wb");
        assert_non_null(fp);
        fwrite("\xff\xfe" "f\0,\0r\0,\0i\0\n\0" "1\0,\0" "2\0,\0" "3\0\n\0", 1, 22, fp);
        fclose(fp);
        assert_int_equal(ssb_eis_spectrum_read(ctx, p, SSB_EIS_FORMAT_AUTO, &s), SSB_ERR_FORMAT);
        assert_non_null(strstr(ssb_ctx_get_error(ctx), "UTF-16"));
        assert_null(s);
    }
    expect_read(ctx, "blank.csv", "\n  \n", SSB_ERR_FORMAT, "empty", NULL);
    expect_read(ctx, "header_only.csv", "freq,real,imag\n", SSB_ERR_FORMAT, "no data rows", NULL);
    expect_read(ctx, "truncated.csv", "100,1.5,-2\n10,1.75,-3\n1,2.5\n", SSB_ERR_FORMAT, ":3:", "truncated");
    expect_read(ctx, "word.csv", "100,1.5,-2\n10,abc,-3\n", SSB_ERR_FORMAT, ":2:", "'abc'");
    expect_read(ctx, "cut_number.csv", "100,1.5,-2\n10,1.75,-3.2e", SSB_ERR_FORMAT, ":2:", "'-3.2e'");
    expect_read(ctx, "nan.csv", "100,1.5,-2\n10,nan,-3\n1,2,-1\n", SSB_ERR_RANGE, ":2:", "Z' = nan");
    expect_read(ctx, "inf.csv", "100,1.5,-2\n10,1.5,-inf\n", SSB_ERR_RANGE, ":2:", "Z''");
    expect_read(ctx, "negative.csv", "100,1.5,-2\n-10,1.5,-3\n", SSB_ERR_RANGE, ":2:", "-10 Hz");
    expect_read(ctx, "zero.csv", "0,1.5,-2\n10,1.5,-3\n", SSB_ERR_RANGE, ":1:", "must be > 0");
    expect_read(ctx, "dup.csv", "100,1.5,-2\n10,1.5,-3\n10,1.25,-3\n1,2,-1\n", SSB_ERR_FORMAT, ":3:", "repeats line 2");
    expect_read(ctx, "unsorted.csv", "# sweep\n1,2,-1\n10,1.5,-3\n5,1.25,-3\n", SSB_ERR_ARG, ":4:", "unsorted");
    expect_read(ctx, "partial_header.csv", "freq,real,phase\n1,2,3\n", SSB_ERR_FORMAT, "Z''", NULL);
    expect_read(ctx, "cut.z", "ZPLOT2 ASCII\nData Points: 4\nFreq(Hz)\tAmpl\tBias\tTime(Sec)\tZ'(a)\tZ''(b)\n"
                              "End Comments\n1e3\t0\t0\t0\t1.5\t-2\n1e2\t0\t0\t0\t1.75\t-3\n",
                SSB_ERR_FORMAT, "announces 4", "truncated");
    expect_read(ctx, "nocomments.z", "ZPLOT2 ASCII\n1e3\t0\t0\t0\t1.5\t-2\n", SSB_ERR_FORMAT, "End Comments",
                "Freq(Hz)");
    expect_read(ctx, "short_row.z", "ZPLOT2 ASCII\nEnd Comments\n1e3\t0\t0\t0\t1.5\n", SSB_ERR_FORMAT, ":3:", NULL);
    expect_read(ctx, "notable.DTA", "EXPLAIN\nTAG\tEISPOT\n", SSB_ERR_FORMAT, "ZCURVE", NULL);
    expect_read(ctx, "cutheader.DTA", "EXPLAIN\nZCURVE\tTABLE\n\tPt\tTime\tFreq\tZreal\tZimag\n", SSB_ERR_FORMAT,
                "truncated", NULL);
    expect_read(ctx, "nocols.mpt", "EC-Lab ASCII FILE\nNb header lines : 3\n\ntime/s\tEwe/V\n1\t2\n", SSB_ERR_FORMAT,
                "freq/Hz", NULL);
    /* the binary probe: fputs stops at NUL, so write the NULs explicitly */
    const char *p = write_file("binary2.csv", "");
    FILE *fp = fopen(p, "wb");
    fwrite("1,2,3\n\0\0x", 1, 9, fp);
    fclose(fp);
    assert_int_equal(ssb_eis_spectrum_read(ctx, p, SSB_EIS_FORMAT_AUTO, &s), SSB_ERR_FORMAT);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "NUL"));
    assert_int_equal(ssb_eis_spectrum_read(ctx, p, (ssb_eis_format)42, &s), SSB_ERR_UNSUPPORTED);
    print_message("PASS bad input: IO, FORMAT (empty, truncated, words), RANGE (NaN, inf, f <= 0), ARG (repeats, "
                  "unsorted), each naming file and line\n");
    ssb_ctx_destroy(&ctx);
}

static int count_tmp(const char *prefix)
{
    DIR *d = opendir(tu_tmpdir());
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strstr(e->d_name, ".tmp")) n++;
    closedir(d);
    return n;
}

/* Z of R0 + (R1 || C) at f: the analytic reference of the multi-sweep files below. */
static void rc_z(double f, double r0, double r1, double c, double *re, double *im)
{
    const double wrc = 2.0 * 3.14159265358979323846 * f * r1 * c, d = 1.0 + wrc * wrc;
    *re = r0 + r1 / d;
    *im = -r1 * wrc / d;
}

/* A file of nsw sweeps of 9 points from 1 MHz down to 0.1 Hz; sweep k has R1 = 100 (k + 1) Ohm. mpt: EC-Lab with
 * a "cycle number" column (cycle = 0: the column is constant, the sweeps are told by the restart alone). */
static const char *multi_sweep(const char *name, int mpt, int cycle, int nsw)
{
    static char buf[8192];
    size_t o = 0;
    if (mpt)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "EC-Lab ASCII FILE\nNb header lines : 4\n\n"
                                                         "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\t|Z|/Ohm\tcycle number\n");
    else
        o += (size_t)snprintf(buf + o, sizeof buf - o, "freq,real,imag\n");
    for (int k = 0; k < nsw; k++)
        for (int i = 0; i < 9; i++) {
            const double f = pow(10.0, 6 - 7 * i / 8.0);
            double re, im;
            rc_z(f, 10.0, 100.0 * (k + 1), 1e-6, &re, &im);
            if (mpt)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%.9e\t%.9e\t%.9e\t%.9e\t%.15E\n", f, re, -im,
                                      hypot(re, im), cycle ? (double)(k + 1) : 1.0);
            else
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%.9e,%.9e,%.9e\n", f, re, im);
        }
    return write_file(name, buf);
}

/* Multi-loop PEIS exports (EC-Lab "cycle number", a restarting frequency column in a CSV) were refused as
 * "duplicate point or a second sweep": the first sweep is read by default, any other by number; a number past the
 * last is SSB_ERR_RANGE naming 1..n. A duplicate inside one sweep is a malformed file (SSB_ERR_FORMAT). */
static void test_sweeps(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const char *files[3] = {multi_sweep("loops.mpt", 1, 1, 3), NULL, NULL};
    files[1] = multi_sweep("restart.mpt", 1, 0, 3);
    files[2] = multi_sweep("restart.csv", 0, 0, 3);
    for (int fi = 0; fi < 3; fi++) {
        for (int sw = 0; sw <= 3; sw++) {
            ssb_eis_spectrum *s = NULL;
            TU_OK(ctx, ssb_eis_spectrum_read_sweep(ctx, files[fi], SSB_EIS_FORMAT_AUTO, sw, &s));
            assert_int_equal(s->n, 9);
            const int k = sw > 0 ? sw - 1 : 0;
            for (int i = 0; i < 9; i++) {
                double re, im;
                rc_z(s->f[i], 10.0, 100.0 * (k + 1), 1e-6, &re, &im);
                assert_true(fabs(s->zre[i] - re) < 1e-6 * (1.0 + fabs(re)));
                assert_true(fabs(s->zim[i] - im) < 1e-6 * (1.0 + fabs(im)));
            }
            /* the low-frequency limit: Z' -> R0 + R1 */
            assert_true(fabs(s->zre[8] - (10.0 + 100.0 * (k + 1))) < 0.01 * 100.0 * (k + 1));
            ssb_eis_spectrum_destroy(&s);
        }
        ssb_eis_spectrum *s = NULL;
        assert_int_equal(ssb_eis_spectrum_read_sweep(ctx, files[fi], SSB_EIS_FORMAT_AUTO, 4, &s), SSB_ERR_RANGE);
        assert_null(s);
        assert_non_null(strstr(ssb_ctx_get_error(ctx), "1..3"));
        assert_int_equal(ssb_eis_spectrum_read_sweep(ctx, files[fi], SSB_EIS_FORMAT_AUTO, -1, &s), SSB_ERR_RANGE);
    }
    /* one sweep: sweep 1 is the file, sweep 2 is out of range */
    ssb_eis_spectrum *s = NULL;
    const char *one = multi_sweep("one.mpt", 1, 1, 1);
    TU_OK(ctx, ssb_eis_spectrum_read_sweep(ctx, one, SSB_EIS_FORMAT_AUTO, 1, &s));
    assert_int_equal(s->n, 9);
    ssb_eis_spectrum_destroy(&s);
    assert_int_equal(ssb_eis_spectrum_read_sweep(ctx, one, SSB_EIS_FORMAT_AUTO, 2, &s), SSB_ERR_RANGE);
    /* a cycle column named in the header but left empty in the rows: one sweep, as before the column was used */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx,
                                     write_file("nocyc.mpt", "EC-Lab ASCII FILE\nNb header lines : 4\n\nfreq/Hz\t"
                                                             "Re(Z)/Ohm\t-Im(Z)/Ohm\tcycle number\n1000\t10\t1\n"
                                                             "100\t12\t3\n10\t20\t5\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 3);
    ssb_eis_spectrum_destroy(&s);
    /* a duplicate point inside a sweep stays refused, as a malformed file naming its line */
    expect_read(ctx, "dup_in_sweep.mpt",
                "EC-Lab ASCII FILE\nNb header lines : 4\n\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\tcycle number\n"
                "1000\t10\t1\t1\n100\t12\t3\t1\n100\t12\t3\t1\n10\t20\t5\t1\n1000\t10\t1\t2\n100\t12\t3\t2\n",
                SSB_ERR_FORMAT, ":7:", "repeats line 6");
    /* an unsorted sweep (not a restart: 5 Hz is nearer 10 Hz than the start, 1 Hz) stays SSB_ERR_ARG */
    expect_read(ctx, "unsorted2.csv", "1,2,-1\n10,1.5,-3\n5,1.25,-3\n", SSB_ERR_ARG, ":3:", "unsorted");
    /* a wrong 'Nb header lines' count names the count and the line of the column names */
    expect_read(ctx, "badcount.mpt",
                "EC-Lab ASCII FILE\nNb header lines : 4\n\nPEIS\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n1000\t10\t1\n"
                "100\t12\t3\n",
                SSB_ERR_FORMAT, "Nb header lines : 4", "on line 5");
    print_message("PASS multi-sweep files: cycle column and restart, sweep N = R0 + R1(N) || C analytic, range 1..n; "
                  "duplicate in a sweep FORMAT; wrong header count named\n");
    ssb_ctx_destroy(&ctx);
}

static void test_writers(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)-W1", &c));
    const double pt[5] = {8.25, 61.0, 4.4e-5, 0.91, 3.3};
    ssb_eis_spectrum *s = NULL, *back = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, pt, 0.05, 5e4, 7, &s));
    char path[512];
    snprintf(path, sizeof path, "%s/spec_out.csv", tu_tmpdir());
    write_file("spec_out.csv", "old content\n");
    TU_OK(ctx, ssb_eis_spectrum_write_csv(ctx, path, s, NULL));
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, path, SSB_EIS_FORMAT_AUTO, &back));
    assert_int_equal(back->n, s->n);
    for (int64_t i = 0; i < s->n; i++) {
        TU_ASSERT_REL(back->f[i], s->f[i], 1e-10);
        TU_ASSERT_REL(back->zim[i], s->zim[i], 1e-10);
    }
    ssb_eis_spectrum_destroy(&back);
    assert_int_equal(count_tmp("spec_out.csv"), 0);
    /* fit output with model columns; read back picks the data columns by name */
    ssb_eis_fit_result *r = NULL;
    const double g[5] = {5, 40, 1e-5, 0.8, 1};
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, NULL, &r));
    snprintf(path, sizeof path, "%s/fit_out.csv", tu_tmpdir());
    TU_OK(ctx, ssb_eis_fit_write_csv(ctx, path, c, s, r));
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, path, SSB_EIS_FORMAT_AUTO, &back));
    assert_int_equal(back->n, s->n);
    TU_ASSERT_REL(back->zre[3], s->zre[3], 1e-10);
    ssb_eis_spectrum_destroy(&back);
    /* a directory that does not exist: SSB_ERR_IO and nothing left behind */
    snprintf(path, sizeof path, "%s/missing_dir/out.csv", tu_tmpdir());
    assert_int_equal(ssb_eis_spectrum_write_csv(ctx, path, s, NULL), SSB_ERR_IO);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "missing_dir"));
    /* model with a different length */
    ssb_eis_spectrum *other = NULL;
    TU_OK(ctx, ssb_eis_spectrum_create(ctx, 2, &other));
    snprintf(path, sizeof path, "%s/mismatch.csv", tu_tmpdir());
    assert_int_equal(ssb_eis_spectrum_write_csv(ctx, path, s, other), SSB_ERR_ARG);
    assert_int_equal(count_tmp("mismatch.csv"), 0);
    ssb_eis_spectrum_destroy(&other);
    /* spectrum helpers */
    assert_int_equal(ssb_eis_spectrum_create(ctx, 0, &other), SSB_ERR_RANGE);
    TU_OK(ctx, ssb_eis_spectrum_duplicate(ctx, s, &other));
    other->zim[0] = 0.5;
    other->zim[1] = 0.25;
    int64_t nd = 0;
    TU_OK(ctx, ssb_eis_spectrum_drop_inductive(ctx, other, &nd));
    assert_true(nd == 2 && other->n == s->n - 2 && other->f[0] == s->f[2]);
    for (int64_t i = 0; i < other->n; i++) other->zim[i] = 1.0;
    assert_int_equal(ssb_eis_spectrum_drop_inductive(ctx, other, &nd), SSB_ERR_RANGE);
    ssb_eis_spectrum_destroy(&other);
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* A column of -Z'' read as the signed Z'' (capacitive < 0) turns every arc inductive: the reader warns, naming the
 * file and the remedy; a spectrum with a few inductive points at high frequency (cable inductance) does not warn,
 * and a '-Z''' header reads the same column correctly without a warning. */
static void test_sign_convention(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    tu_warn_log w = {0, ""};
    ssb_ctx_set_log(ctx, tu_warn_capture, &w, SSB_LOG_WARN);
    ssb_eis_spectrum *s = NULL;
    /* R0-p(R1,C1) with R0 = 10, R1 = 100 Ohm, tau = 1e-4 s at 100 kHz, f = 1/(2 pi tau) and 10 Hz, as -Z'' */
    const char *negz = "1e5,10.0253,1.5913\n1592,60,50\n10,109.996,0.6283\n";
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("minus_zim.csv", negz), SSB_EIS_FORMAT_AUTO, &s));
    ssb_eis_spectrum_destroy(&s);
    assert_int_equal(w.nwarn, 1);
    if (!strstr(w.last, "minus_zim.csv") || !strstr(w.last, "3 of 3") || !strstr(w.last, "-Z''"))
        fail_msg("warning '%s' does not name the file, the count and the remedy", w.last);
    w.nwarn = 0;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("minus_zim_hdr.csv", "f,Z',-Z''\n1e5,10.0253,1.5913\n"
                                                                         "1592,60,50\n10,109.996,0.6283\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    assert_true(s->zim[1] == -50);
    ssb_eis_spectrum_destroy(&s);
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, write_file("cable.csv", "1e6,10.1,0.8\n1e5,10.0253,-1.5913\n1592,60,-50\n"
                                                                  "10,109.996,-0.6283\n"),
                                     SSB_EIS_FORMAT_AUTO, &s));
    ssb_eis_spectrum_destroy(&s);
    assert_int_equal(w.nwarn, 0);
    ssb_ctx_destroy(&ctx);
    print_message("PASS -Z'' column without a header warned about (file, count, remedy); '-Z''' header and a few "
                  "inductive points do not warn\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_csv_variants), cmocka_unit_test(test_instrument_formats),
                                       cmocka_unit_test(test_bad_input), cmocka_unit_test(test_writers),
                                       cmocka_unit_test(test_units_and_counts), cmocka_unit_test(test_sign_convention),
                                       cmocka_unit_test(test_real_world_exports), cmocka_unit_test(test_sweeps)};
    return cmocka_run_group_tests_name("eis_io", tests, NULL, NULL);
}
