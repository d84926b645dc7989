# Tests listed here carry the ctest label "full" (long validation runs; run by bench/ and on demand).
set(SSB_TEST_LABELS_full "test_io_full")
