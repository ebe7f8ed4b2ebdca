"""Working days (工作日): China's statutory holidays and 调休 make-up working days, with the
office's own list of extra holidays and working days for years the package does not cover."""
