/*
 * The release of hut: one number for every program (hut, hut-cc,
 * hut-monitor, hut-oci, hut-bench), for the OCI runtime's features document
 * and for the release an appliance's uname(2) reports, so that a bug report
 * names one thing. The ABI between monitor and image has its own number
 * (HUT_ABI_VERSION in abi.h), which changes only when that contract does.
 */
#ifndef HUT_VERSION_H
#define HUT_VERSION_H

#define HUT_VERSION "0.7.0"

#endif
