# SPDX-License-Identifier: MIT
# The store reader: libc and GDBM only. Linked into everything, the NSS
# module too (whose link check proves that nothing else comes along).
noinst_LTLIBRARIES += common/store/libsvstore.la
common_store_libsvstore_la_SOURCES = \
	common/store/util.h \
	common/store/config.c common/store/config.h \
	common/store/codec.c common/store/codec.h \
	common/store/store.c common/store/store.h common/store/store-internal.h \
	common/store/index.c common/store/index.h \
	common/store/genword.c common/store/genword.h \
	common/store/stateread.c \
	common/store/names.c common/store/names.h \
	common/store/readfile.c common/store/readfile.h \
	common/store/testhook.h
common_store_libsvstore_la_LIBADD = $(GDBM_LIBS)
