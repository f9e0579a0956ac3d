/* SPDX-License-Identifier: MIT */
/* Fixed test keys of fuzz_assertion.c, generated once with openssl(1)
 * (the PEM files in tests/fuzz/data, see its README.md). Test data
 * only: never trust them anywhere. */
#ifndef SVCACCT_FUZZ_KEYS_H
#define SVCACCT_FUZZ_KEYS_H

static const char key_es256_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZv7wHjFka5A2WkI1\n"
    "d4Kagr8E4W4NpnxQipaNtVZfe7qhRANCAAR9lMUixTquWM0o703kk6ZQ73n5ekfD\n"
    "fY3Mcc3skfpYgbx9Y7GN2wVwaTw0eiV7ZkSV9JCcu4CrWM5qNGS6OsvN\n"
    "-----END PRIVATE KEY-----\n";

static const char key_es384_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBQNBUmQk/BFxNC58Ov\n"
    "3xfETP8kJnXKZt7GQ30D0dYd1TZQkR0MvcoyfVpt6qCPJrWhZANiAATCCgEmZOYO\n"
    "n32PklwgbQFYBn7rno3zNuG5/OeuhcfKDCBh2I+XOoUmXLbdt5wRloQVUhgUH6QR\n"
    "QeuKQtns72my81Z6sP/RbAUeBKZpZdHiShYqfIarSCTS3+FrcK1ZjXo=\n"
    "-----END PRIVATE KEY-----\n";

static const char key_es512_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIBRoMYcgvUdCOq+4t7\n"
    "XQeK2d0mLs+gNyuwB2cLoq2CAxyJQD77ZaVsAFrL/0+raCQwLX2+PBkzP5YudsVe\n"
    "wpR7k1ihgYkDgYYABAHoclX5qDz5ZjH5Q1jRZ3nX+kbYXwPgv9dNrO/Gl3QERC+Y\n"
    "isV1HTXSmvhqP3ikmJTZhiNbrQGP6c6VqFunohPjIAEBraayeTtUUVsyWatRZcX4\n"
    "7fNaEAhqfUzM73zn/ukUppyfSc9xOWVqN1oXtml9fsUlpPYS2KjGHXkxevn6mF5L\n"
    "HQ==\n"
    "-----END PRIVATE KEY-----\n";

static const char key_rsa2048_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCiY41NGhOnAt45\n"
    "ldO/T6E181wiJwkvGtRVCgmH9G+eGs43y/dEO++5ZzWzcGET6su4ApKwA/OVf5uL\n"
    "fNrS+ysyQ/EOGY6YAnreVSKT8Yzw+kiwjkSU4d+URbl/2dFUBnGPllwLkO0e7Iz3\n"
    "F+zNRZI/frHa5rV82T5RiR7fCCMsPojC5HaLdQiQeXsQyVD/bJ8r99TjN1opYtuj\n"
    "U4OAL4fA6chxrK5Wjk8BfJVKd8faVI5dnJ2nW3KihTSQgdabawWGvpYElTsgte5q\n"
    "IJ4ttYFXb9Z1W4mT1NO7dlvgg2DYCITxM6rBIR45BOkubATpQmqBIKfJManj/anD\n"
    "KkQ3b0JjAgMBAAECggEACiP2VGy+8mxy7RymkulJk2FljPpsD+V4gfD1BGjmuXRK\n"
    "EWDqyXeGski4KULoxQIiA5UhjN1KTjkgQPckgQ1PNr3YZT2CUorBGnYtiRiJ6Rhw\n"
    "BppzvOpX+F3cRhgXgsw+Ni25BL3hmM9DxEBZuL3R8qYaPCWxCqFUS2opI9tRuvb5\n"
    "Qu0VApOvQwylkF1UiLwCEbK4TPV1rW+vWBWTI7ghhPqc5Vy0QDpbbppFuyxcqx3s\n"
    "eu7VQJnARN/X/FQYcIVtnNjm1+rY2VXqlM0hfXZRn/i79CbLac6I1VBSsRp3X6QH\n"
    "AfUOGBMNmHF2O4vaY3MRwrFUk9XNIkLLvIZlO5vPfQKBgQDOXPROsh6ZsP4mxbSc\n"
    "aU2kZ+QVLI3uQgvpE1g2dEDZfEQG8vwJSgIFmOKwxTCepvfkfc87ccYN4x1lI5L6\n"
    "UIrMfLtkSNFvncteRB9Weu18z2y2kmwwafMUJhHE0EmA8ifQsPgPz4DtHRuqeZpH\n"
    "517G1MmV+r+iJBR8YdZ7/De6lQKBgQDJctV7CP2+DQ7Cuw7k76nkS9zTuC2WoloO\n"
    "wdeBortXN9jWq7jlC6JbrT2i/9B5xVMeO4xxCePH+xsQ4H7Xf/Xzpm0t3dAx9meU\n"
    "04vZWSd4BKCjiY/TOvZR19Cemw22myHwJZTFoOQtQyDoEbyxcoTzmaGFxSnwedL4\n"
    "kKQFqJbDFwKBgQDKTRf3eehDtN5CNjjryNOjo3FWTJpLAxZYBG3K3Eairo6l3Vi0\n"
    "5od64zkAIB+cuIR1y9v3I38MKCSt/KTenUykUHcIRdaDPEac/91U0yez3kht5rcG\n"
    "8yaoDvYGYkZckYf0rzhPj5WNXaa8hX94k9o2w21niSyKECLBGMzCOSyMzQKBgQCa\n"
    "OCtusYdwA5cVRRc19LRfbiR0gT+FXm0LdyKAwBAjyUFbtsMptippfMr/ClCTqJjl\n"
    "QDlYIHYdFwO1e+gfGns0OGjFAFbuqPDLYthhYHtyyjggeqN81lrUdR/lDFcHQORO\n"
    "cLbgRTfp3sZGY63NOxrFUwvw2OwuiVUVrcWj/1jLqQKBgHeeUrmnEhEsiSpEBoqk\n"
    "pwgNK4TUz5V3a15bPL4gEhDPdGLleuwIBFufIcKj9FeSILmSocqCNMUucwr17xTy\n"
    "YlgjoS9/Lgmow+8q2TTLB9npUqhTrb3F85XCaooo2/XfZG3Fh9gL1naTA9z3ZrsQ\n"
    "5IcngKKYcX1X7WUXVIJxLXmH\n"
    "-----END PRIVATE KEY-----\n";

#endif
