package io.sluice.streams;

/**
 * A time window in epoch milliseconds. A {@link TimeWindows} window is {@code [start, end)}; a
 * {@link SlidingWindows} window and a {@link SessionWindows} session include their end, {@code [start, end]} (as in
 * Kafka Streams), and a session of a single record starts and ends at its time.
 *
 * @param start inclusive.
 * @param end   exclusive for time windows, inclusive for sliding and session windows; not before the start.
 */
public record Window(long start, long end)
{
    public Window
    {
        if (end < start)
        {
            throw new IllegalArgumentException("a window does not end before it starts: [" + start + ", " + end + ")");
        }
    }

    // Written out: a record's generated equals and hashCode go through method handles, and a windowed store looks a
    // window up several times per record.

    public boolean equals(final Object other)
    {
        return this == other || other instanceof Window that && start == that.start && end == that.end;
    }

    public int hashCode()
    {
        return 31 * Long.hashCode(start) + Long.hashCode(end);
    }
}
