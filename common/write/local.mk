# SPDX-License-Identifier: MIT
# The store's writer and the state dir: the tools (and tests) only, so that
# no module that merely reads carries code that writes.
noinst_LTLIBRARIES += common/write/libsvwrite.la
common_write_libsvwrite_la_SOURCES = \
	common/write/txn.c common/write/txn.h common/write/txn-internal.h \
	common/write/state.c \
	common/write/gdbmio.c common/write/gdbmio.h \
	common/write/model.c common/write/model.h \
	common/write/indexw.c common/write/indexw.h common/write/genwordw.c
