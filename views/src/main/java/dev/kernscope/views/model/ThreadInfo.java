package dev.kernscope.views.model;

/** Names of a thread ({@code utid}) and its process ({@code upid}). {@code upid} is -1 when unknown. */
public record ThreadInfo(int utid, int tid, String name, int upid, int pid, String processName) {}
