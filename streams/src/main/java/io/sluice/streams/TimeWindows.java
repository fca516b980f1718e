package io.sluice.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-size windows aligned to the epoch: tumbling (advance = size) or hopping (advance &lt; size, so a record falls
 * in {@code size / advance} windows). A window accepts records until stream time reaches its end plus the grace
 * period; a record for a window already closed is late: dropped for that window (logged at debug).
 *
 * @param sizeMs    window size.
 * @param advanceMs how far each window starts after the previous one.
 * @param graceMs   how long after its end a window still takes out-of-order records.
 */
public record TimeWindows(long sizeMs, long advanceMs, long graceMs)
{
    public TimeWindows
    {
        if (sizeMs <= 0)
        {
            throw new IllegalArgumentException("window size must be positive: " + sizeMs + " ms");
        }
        if (advanceMs <= 0 || advanceMs > sizeMs)
        {
            throw new IllegalArgumentException("advance must be 1 ms to the size (" + sizeMs + " ms): " + advanceMs);
        }
        if (graceMs < 0)
        {
            throw new IllegalArgumentException("grace must not be negative: " + graceMs + " ms");
        }
    }

    /**
     * @return tumbling windows that close at their end.
     */
    public static TimeWindows ofSizeWithNoGrace(final Duration size)
    {
        return new TimeWindows(size.toMillis(), size.toMillis(), 0);
    }

    /**
     * @return tumbling windows that take out-of-order records for {@code grace} after their end.
     */
    public static TimeWindows ofSizeAndGrace(final Duration size, final Duration grace)
    {
        return new TimeWindows(size.toMillis(), size.toMillis(), grace.toMillis());
    }

    /**
     * @return hopping windows of this size and grace, starting every {@code advance}.
     */
    public TimeWindows advanceBy(final Duration advance)
    {
        return new TimeWindows(sizeMs, advance.toMillis(), graceMs);
    }

    /**
     * @param timestamp event time, not negative.
     * @return every window holding it, earliest first.
     */
    public List<Window> windowsFor(final long timestamp)
    {
        if (advanceMs == sizeMs) // tumbling: exactly one
        {
            final long start = timestamp / sizeMs * sizeMs;
            return List.of(new Window(start, start + sizeMs));
        }
        final List<Window> windows = new ArrayList<>((int)(sizeMs / advanceMs) + 1);
        long start = Math.max(0, timestamp - sizeMs + advanceMs) / advanceMs * advanceMs;
        for (; start <= timestamp; start += advanceMs)
        {
            windows.add(new Window(start, start + sizeMs));
        }
        return windows;
    }
}
