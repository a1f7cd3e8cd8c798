package dev.kernscope.views.model;

/** Where a stack frame runs; the flame graph picks a palette per kind. */
public enum FrameKind { KERNEL, USER, JIT, UNKNOWN }
