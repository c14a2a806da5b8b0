# Fuzz targets (libFuzzer, clang): built only with --enable-fuzz.
