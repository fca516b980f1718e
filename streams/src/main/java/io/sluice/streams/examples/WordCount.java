package io.sluice.streams.examples;

import io.sluice.streams.Consumed;
import io.sluice.streams.Grouped;
import io.sluice.streams.Materialized;
import io.sluice.streams.Produced;
import io.sluice.streams.Serde;
import io.sluice.streams.StreamsBuilder;
import io.sluice.streams.Topology;

import java.util.Arrays;
import java.util.Locale;

/**
 * Word count: each line of {@value #INPUT} split into lower-case words, counted per word across all lines; every new
 * count goes to {@value #OUTPUT} (key the word, value the count as 8 bytes big-endian) and is kept in the store
 * {@value #STORE}. The words are repartitioned by word through {@code <application id>-words-repartition}.
 */
public final class WordCount
{
    /** Lines of text; keys ignored. */
    public static final String INPUT = "text-lines";
    /** Word to count, updated on each occurrence. */
    public static final String OUTPUT = "word-counts";
    /** The counts, queryable by word. */
    public static final String STORE = "word-counts-store";

    private WordCount()
    {
    }

    /**
     * @return the topology.
     */
    public static Topology topology()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serde.string(), Serde.string()))
            .flatMapValues((line) -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\W+")))
            .filter((key, word) -> !word.isEmpty())
            .groupBy((key, word) -> word, Grouped.with(Serde.string(), Serde.string()).withName("words"))
            .count(Materialized.as(STORE))
            .toStream()
            .to(OUTPUT, Produced.with(Serde.string(), Serde.longs()));
        return builder.build();
    }
}
