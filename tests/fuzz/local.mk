# SPDX-License-Identifier: MIT
# Fuzzing (included by the top-level Makefile.am). The targets are built by
# tests/fuzz/run.sh itself with clang and -fsanitize=fuzzer,address,
# undefined, straight from the sources and out of tree, so that they need
# neither a second configure nor the autotools build's compiler.
#
#   make fuzz                      every target for 60 s
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="assertion jwk"

FUZZ_SECONDS = 60
FUZZ_TARGETS =
fuzz:
	$(SHELL) $(srcdir)/tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
.PHONY: fuzz

fuzz_files = \
	tests/fuzz/run.sh tests/fuzz/mkseeds.py tests/fuzz/dumpdb.c \
	tests/fuzz/fuzz_codec.c tests/fuzz/fuzz_config.c \
	tests/fuzz/fuzz_secret.c tests/fuzz/fuzz_assertion.c \
	tests/fuzz/fuzz_parts.c tests/fuzz/fuzz_jwk.c \
	tests/fuzz/fuzz_sshkey.c tests/fuzz/fuzz_import.c tests/fuzz/fuzz_index.c \
	tests/fuzz/fuzz.h tests/fuzz/fuzz_keys.h \
	tests/fuzz/codec.dict tests/fuzz/config.dict tests/fuzz/import.dict \
	tests/fuzz/jwk.dict tests/fuzz/sshkey.dict \
	tests/fuzz/data/README.md \
	tests/fuzz/data/es256.key.pem tests/fuzz/data/es384.key.pem \
	tests/fuzz/data/es512.key.pem tests/fuzz/data/rsa2048.key.pem
EXTRA_DIST += $(fuzz_files) docs/SECURITY.md
# The seed corpora are many small files that only mkseeds.py writes: copied
# whole rather than listed one by one.
dist-hook: dist-hook-fuzz
dist-hook-fuzz:
	cp -pR $(srcdir)/tests/fuzz/corpus $(distdir)/tests/fuzz/
	chmod -R u+w $(distdir)/tests/fuzz/corpus
.PHONY: dist-hook-fuzz
