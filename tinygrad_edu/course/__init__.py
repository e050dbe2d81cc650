"""The course's application, above the framework: training the two models, the gradient
report, the figures and the `tinygrad-edu` command. It imports the framework; nothing in the
framework imports it."""
