package io.sluice.streams.examples;

import io.sluice.streams.Consumed;
import io.sluice.streams.EmitStrategy;
import io.sluice.streams.KeyValue;
import io.sluice.streams.Materialized;
import io.sluice.streams.Produced;
import io.sluice.streams.Serde;
import io.sluice.streams.StreamsBuilder;
import io.sluice.streams.TimeWindows;
import io.sluice.streams.Topology;

import java.time.Duration;

/**
 * Click counts per user per minute: {@value #INPUT} holds clicks keyed by user (the value, the page, is not used),
 * timed by the record's timestamp. Tumbling one-minute windows accept records up to {@link #GRACE} late; each
 * window's final count goes to {@value #OUTPUT} once it closes (stream time past its end plus the grace), keyed
 * {@code user@windowStartMs}. Later records for a closed window are dropped.
 */
public final class WindowedClicks
{
    /** Clicks keyed by user. */
    public static final String INPUT = "clicks";
    /** Final counts, {@code user@windowStartMs} to the count. */
    public static final String OUTPUT = "clicks-per-minute";
    /** The open windows' counts. */
    public static final String STORE = "clicks-per-minute-store";
    /** The window. */
    public static final Duration WINDOW = Duration.ofMinutes(1);
    /** How late a click may be. */
    public static final Duration GRACE = Duration.ofSeconds(10);

    private WindowedClicks()
    {
    }

    /**
     * @return the topology.
     */
    public static Topology topology()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, GRACE))
            .emitStrategy(EmitStrategy.ON_WINDOW_CLOSE)
            .count(Materialized.as(STORE))
            .toStream()
            .map((window, count) -> KeyValue.pair(window.key() + "@" + window.window().start(), count))
            .to(OUTPUT, Produced.with(Serde.string(), Serde.longs()));
        return builder.build();
    }
}
