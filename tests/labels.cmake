# ctest labels. Every test is "quick" (run by `make test`) unless listed in SSB_TEST_LABELS_full (long validation
# runs: `ctest -L full`, run by bench/run-all). Tests in SSB_TEST_LABELS_nosan are skipped in the ASan+UBSan build
# (large reference images that take minutes there; they run in the optimised build).
set(SSB_TEST_LABELS_full "test_io_full")
set(SSB_TEST_LABELS_nosan "test_transport_ref;test_transport_electrode")
