# SPDX-License-Identifier: MIT
# The auth side: secrets, keys, assertions, issuers and the login
# decisions, with OpenSSL and jansson. Never in the NSS module; the PAM
# module, the tools and the tests run the same code.
noinst_LTLIBRARIES += common/auth/libsvauth.la
common_auth_libsvauth_la_SOURCES = \
	common/auth/secret.c common/auth/secret.h \
	common/auth/keys.c common/auth/keys.h \
	common/auth/b64.c common/auth/b64.h \
	common/auth/assertion.c common/auth/assertion.h \
	common/auth/replay.c common/auth/replay.h \
	common/auth/policy.c common/auth/policy.h \
	common/auth/lastused.c common/auth/lastused.h \
	common/auth/statefile.c common/auth/statefile.h \
	common/auth/sessions.c common/auth/sessions.h \
	common/auth/issuer.c common/auth/issuer.h \
	common/auth/acctjwks.c common/auth/acctjwks.h \
	common/auth/login.c common/auth/login.h \
	common/auth/phase.c common/auth/phase.h
common_auth_libsvauth_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
common_auth_libsvauth_la_LIBADD = $(CRYPTO_LIBS) $(JANSSON_LIBS)
