# What the network app tests (tests/integration/net-*.sh) boot, built here on
# the host (the nested test guest compiles slowly), in build/tests/net/:
#   www/            mkwww.sh's files (random bytes, several sizes and names)
#   httpd-www.hut   apps/httpd with www/ packed at /
#   httpd-net.hut   the same, declaring its network device (hut build --net):
#                   hut-oci gives only such an image the pod's network (oci-net.sh)
NET_TEST_OUT := $(BUILD)/tests/net

$(NET_TEST_OUT)/www.stamp: tests/integration/net/mkwww.sh
	@mkdir -p $(NET_TEST_OUT)
	tests/integration/net/mkwww.sh $(NET_TEST_OUT)/www
	@touch $@

$(NET_TEST_OUT)/httpd-www.hut: apps/httpd/httpd.c $(NET_TEST_OUT)/www.stamp $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build -o $@ --files $(NET_TEST_OUT)/www apps/httpd/httpd.c

$(NET_TEST_OUT)/httpd-net.hut: apps/httpd/httpd.c $(NET_TEST_OUT)/www.stamp $(PROGRAMS) $(RUNTIME)
	$(BIN)/hut build --net -o $@ --files $(NET_TEST_OUT)/www apps/httpd/httpd.c

.PHONY: test-net-images
test-net-images: $(NET_TEST_OUT)/httpd-www.hut $(NET_TEST_OUT)/httpd-net.hut
test test-nested: test-net-images
