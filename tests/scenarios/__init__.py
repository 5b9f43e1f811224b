"""Tests of whole shows built as a host builds them: crashes, full disks, bad input, the golden feed, the wheel, the browser."""
