package io.sluice.perf.e2e;

import java.util.concurrent.locks.LockSupport;

/**
 * The clock of the e2e harness and how its sender waits for the next due time; tests replace it with a clock they
 * move by hand.
 * <p>
 * Threads: {@link #nanoTime()} is read by the sender, the consumer thread and whichever thread delivers
 * acknowledgements; {@link #idle(long)} is called by the sender only.
 */
interface PacingClock
{
    /** The clock of {@link System#nanoTime()}, waiting as {@link SystemClock} describes. */
    PacingClock SYSTEM = new SystemClock();

    /**
     * Now.
     *
     * @return nanoseconds on a monotonic clock.
     */
    long nanoTime();

    /**
     * Give the CPU away while waiting, with nothing else to do.
     *
     * @param remainingNs until the next due time; 0 or less if the sender waits for something else (back-pressure).
     */
    void idle(long remainingNs);

    /**
     * {@link System#nanoTime()}. While the next due time is more than {@link #PARK_THRESHOLD_NS} away, parks until
     * {@link #PARK_MARGIN_NS} before it (a park overshoots by the kernel's timer slack, 50 us by default, plus the
     * wake-up); yields for the rest. Never spins: on a 2-core machine the broker and the clients' I/O threads need
     * the cores a spinning sender would take.
     * <p>
     * Measured with Kafka at 10,000 msgs/s on 2 cores: yielding all the time left Kafka's produce-to-ack p90 at
     * 3.5-5.4 ms and p99 at 9-10 ms (the sender took CPU from the broker); parking to the due time gave p90 2.5 ms and
     * p99 6 ms but charged every record the park's overshoot (p50 210-300 us); parking to 80 us before the due time
     * gave p50 120-140 us, p90 1.3-1.4 ms and p99 5 ms.
     */
    final class SystemClock implements PacingClock
    {
        static final long PARK_THRESHOLD_NS = 90_000;
        static final long PARK_MARGIN_NS = 80_000;

        public long nanoTime()
        {
            return System.nanoTime();
        }

        public void idle(final long remainingNs)
        {
            if (remainingNs > PARK_THRESHOLD_NS)
            {
                LockSupport.parkNanos(remainingNs - PARK_MARGIN_NS);
            }
            else
            {
                Thread.yield();
            }
        }
    }
}
