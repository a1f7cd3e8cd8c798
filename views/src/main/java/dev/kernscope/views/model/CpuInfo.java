package dev.kernscope.views.model;

/** One CPU of the traced machine and the NUMA node it belongs to. */
public record CpuInfo(int cpu, int node) {}
