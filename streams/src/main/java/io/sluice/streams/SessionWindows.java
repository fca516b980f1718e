package io.sluice.streams;

import java.time.Duration;

/**
 * Session windows (Kafka Streams' {@code SessionWindows}): per key, a session is a run of records in which no two
 * consecutive ones are more than the inactivity gap apart. A session is {@code [first record's time, last record's
 * time]}, both ends included; a record within the gap of one or more sessions merges them (and itself) into one.
 * <p>
 * <b>Late records</b>: a session takes records until stream time passes its end plus the grace period
 * ({@code end + grace < streamTime} closes it, and it leaves the store); a record that would only make a closed
 * session of its own is dropped.
 *
 * @param inactivityGapMs the largest time between two records of one session.
 * @param graceMs         how long after its end a session still takes out-of-order records.
 */
public record SessionWindows(long inactivityGapMs, long graceMs)
{
    public SessionWindows
    {
        if (inactivityGapMs <= 0)
        {
            throw new IllegalArgumentException("the inactivity gap must be positive: " + inactivityGapMs + " ms");
        }
        if (graceMs < 0)
        {
            throw new IllegalArgumentException("grace must not be negative: " + graceMs + " ms");
        }
    }

    /**
     * @return sessions of this gap that close at their end.
     */
    public static SessionWindows ofInactivityGapWithNoGrace(final Duration inactivityGap)
    {
        return new SessionWindows(inactivityGap.toMillis(), 0);
    }

    /**
     * @return sessions of this gap that take out-of-order records for {@code grace} after their end.
     */
    public static SessionWindows ofInactivityGapAndGrace(final Duration inactivityGap, final Duration grace)
    {
        return new SessionWindows(inactivityGap.toMillis(), grace.toMillis());
    }
}
