/*
 * File hypercalls made by hand, as a guest without a libos would (the
 * hostile guests and volume_guard): fh is the argument block the monitor
 * reads and answers in; its result starts as a value no call returns, so a
 * monitor that never wrote it shows.
 */
#ifndef RAW_FILE_H
#define RAW_FILE_H

#include <hut/abi.h>
#include <stdint.h>
#include <string.h>

#include "raw_hypercall.h"

static struct hut_hc_file fh;

static int64_t file_call(struct hut_hc_file f)
{
	fh = f;
	fh.result = 12345;
	raw_hypercall(HUT_HC_FILE, (uint64_t)&fh);
	return fh.result;
}

static struct hut_hc_file on(uint32_t op, const char *path)
{
	return (struct hut_hc_file){.op = op, .path = (uint64_t)path, .path_len = strlen(path)};
}

#endif
