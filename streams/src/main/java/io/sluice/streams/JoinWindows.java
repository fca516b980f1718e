package io.sluice.streams;

import java.time.Duration;

/**
 * How close in event time two records of a stream-stream join must be: {@code |t1 - t2| <= timeDifference}. Each
 * side's records are kept for the other side's late arrivals until stream time passes their time plus the
 * difference plus the grace period.
 *
 * @param timeDifferenceMs the largest difference of the two records' times.
 * @param graceMs          how long after that a record is still kept for out-of-order records of the other side.
 */
public record JoinWindows(long timeDifferenceMs, long graceMs)
{
    public JoinWindows
    {
        if (timeDifferenceMs < 0 || graceMs < 0)
        {
            throw new IllegalArgumentException("time difference and grace must not be negative: " +
                timeDifferenceMs + " ms, " + graceMs + " ms");
        }
    }

    /**
     * @return windows of this difference, without grace.
     */
    public static JoinWindows ofTimeDifferenceWithNoGrace(final Duration timeDifference)
    {
        return new JoinWindows(timeDifference.toMillis(), 0);
    }

    /**
     * @return windows of this difference and grace.
     */
    public static JoinWindows ofTimeDifferenceAndGrace(final Duration timeDifference, final Duration grace)
    {
        return new JoinWindows(timeDifference.toMillis(), grace.toMillis());
    }
}
