package io.sluice.perf.e2e;

/**
 * A {@link PacingClock} moved only by hand and by the sender's waiting, which jumps straight to the due time: the
 * pacing loops then run without real waiting and their latencies are exact.
 * <p>
 * Threads: moved by the sender thread only; read by any.
 */
final class ManualClock implements PacingClock
{
    /** How far one wait for back-pressure moves the clock. */
    static final long BACK_PRESSURE_IDLE_NS = 1_000;

    private volatile long nowNs = 1_000_000_000L;

    public long nanoTime()
    {
        return nowNs;
    }

    public void idle(final long remainingNs)
    {
        advance(remainingNs > 0 ? remainingNs : BACK_PRESSURE_IDLE_NS);
    }

    void advance(final long ns)
    {
        nowNs = nowNs + ns;
    }
}
