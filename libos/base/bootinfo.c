/*
 * What the monitor told the libos at boot (sys/boot.c sets it before
 * anything else runs), and the boot's time stamps for --trace-boot.
 */
#include "base.h"

const struct hut_boot_info *hut_boot_info;
uint64_t hut_tsc_boot, hut_tsc_main;
