"""A local replay of a site snapshot on 127.0.0.1: the tests' and the demo's stand-in site."""
