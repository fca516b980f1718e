package io.sluice.streams;

/**
 * A time window: {@code [start, end)} in epoch milliseconds.
 *
 * @param start inclusive.
 * @param end   exclusive.
 */
public record Window(long start, long end)
{
    public Window
    {
        if (end <= start)
        {
            throw new IllegalArgumentException("a window ends after it starts: [" + start + ", " + end + ")");
        }
    }
}
