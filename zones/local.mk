dist_noinst_DATA = zones/example.conf zones/example.test.zone zones/demo.conf
