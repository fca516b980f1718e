package io.sluice.streams;

import io.sluice.client.Serdes;

import java.util.List;
import java.util.function.Function;

/**
 * The windowed click count the window tests share: clicks keyed by user on {@value #INPUT}, a windowed count, each
 * result on {@value #OUTPUT} keyed by a text form of its window.
 */
final class ClickCounts
{
    static final String INPUT = "clicks";
    static final String OUTPUT = "counts";

    private ClickCounts()
    {
    }

    /**
     * @param count  the windowed count of the grouped clicks.
     * @param format a result's key as text.
     * @return the topology.
     */
    static Topology topology(
        final Function<KGroupedStream<String, String>, KTable<Windowed<String>, Long>> count,
        final Function<Windowed<String>, String> format)
    {
        final StreamsBuilder builder = new StreamsBuilder();
        count.apply(builder.stream(INPUT, Consumed.with(Serde.string(), Serde.string())).groupByKey())
            .toStream()
            .map((windowed, clicks) -> KeyValue.pair(format.apply(windowed), clicks))
            .to(OUTPUT, Produced.with(Serde.string(), Serde.longs()));
        return builder.build();
    }

    static TestInputTopic<String, String> input(final TopologyTestDriver driver)
    {
        return driver.createInputTopic(INPUT, Serdes.stringSerializer(), Serdes.stringSerializer());
    }

    static List<TestRecord<String, Long>> outputRecords(final TopologyTestDriver driver)
    {
        return driver.createOutputTopic(OUTPUT, Serdes.stringDeserializer(), Serdes.longDeserializer())
            .readRecordsToList();
    }

    /**
     * @return the results written since the last call, as {@code key=count}.
     */
    static List<String> output(final TopologyTestDriver driver)
    {
        return outputRecords(driver).stream().map((r) -> r.key() + "=" + r.value()).toList();
    }

    /**
     * @return the results of user A.
     */
    static List<String> keyA(final List<String> output)
    {
        return output.stream().filter((s) -> s.startsWith("A@")).toList();
    }
}
