package io.sluice.streams;

import java.time.Duration;

/**
 * Sliding windows (Kafka Streams' {@code SlidingWindows}): windows of a fixed time difference defined by the
 * records' own times rather than by the epoch. Two records of a key fall in a common window when their times differ
 * by at most the time difference. A window is {@code [start, start + timeDifference]}, both ends included.
 * <p>
 * <b>Which windows exist</b>, per key: for each record at {@code t}, its window {@code [t - difference, t]} (for
 * {@code t < difference}, {@code [0, difference]}: no window starts before the epoch), and the window just after it,
 * {@code [t + 1, t + 1 + difference]}, when a record of the key falls in that one. Each window's aggregate is that of
 * the records in it, folded in the order they arrived. So a record creates its own window and the windows right after
 * the records before it, and updates every other window it falls in.
 * <p>
 * <b>Late records</b>: a window takes records until stream time passes its end plus the grace period
 * ({@code end + grace < streamTime} closes it); a record no open window can take is dropped.
 *
 * @param timeDifferenceMs the largest difference of two records' times in one window.
 * @param graceMs          how long after its end a window still takes out-of-order records.
 */
public record SlidingWindows(long timeDifferenceMs, long graceMs)
{
    public SlidingWindows
    {
        if (timeDifferenceMs < 0 || graceMs < 0)
        {
            throw new IllegalArgumentException("time difference and grace must not be negative: " +
                timeDifferenceMs + " ms, " + graceMs + " ms");
        }
    }

    /**
     * @return sliding windows of this difference that close at their end.
     */
    public static SlidingWindows ofTimeDifferenceWithNoGrace(final Duration timeDifference)
    {
        return new SlidingWindows(timeDifference.toMillis(), 0);
    }

    /**
     * @return sliding windows of this difference that take out-of-order records for {@code grace} after their end.
     */
    public static SlidingWindows ofTimeDifferenceAndGrace(final Duration timeDifference, final Duration grace)
    {
        return new SlidingWindows(timeDifference.toMillis(), grace.toMillis());
    }

    /**
     * @return the window of a record at {@code timestamp}: the one ending at it, or {@code [0, difference]} for a
     * record earlier than the difference.
     */
    public Window leftWindowOf(final long timestamp)
    {
        final long start = Math.max(0, timestamp - timeDifferenceMs);
        return new Window(start, start + timeDifferenceMs);
    }

    /**
     * @return the window that starts just after a record at {@code timestamp}.
     */
    public Window rightWindowOf(final long timestamp)
    {
        return new Window(timestamp + 1, timestamp + 1 + timeDifferenceMs);
    }
}
