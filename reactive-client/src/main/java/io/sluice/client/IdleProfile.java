package io.sluice.client;

/**
 * How the client's I/O thread waits when it has nothing to do.
 */
public enum IdleProfile
{
    /** Spin, yield, then park up to 1 ms: an idle client costs almost nothing; a response may wait for the park. */
    BACKOFF,
    /** Yield: the lowest latency on a machine with fewer cores than busy threads; a core's worth of CPU. */
    YIELDING,
    /** Spin: only with a core for the client's thread. */
    BUSY_SPIN
}
