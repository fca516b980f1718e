package io.sluice.streams;

import io.sluice.client.Serdes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The DSL's operators through the test driver.
 */
class StreamsDslTest
{
    private static final Consumed<String, String> STRINGS = Consumed.with(Serde.string(), Serde.string());

    @Test
    void shouldFilterMapAndWriteRecordsInOrder()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final List<String> peeked = new ArrayList<>();
        builder.stream("in", STRINGS)
            .filter((k, v) -> !v.isEmpty())
            .filterNot((k, v) -> v.startsWith("#"))
            .peek((k, v) -> peeked.add(k))
            .mapValues(String::toUpperCase)
            .to("out", Produced.with(Serde.string(), Serde.string())); // mapValues may change the type: serdes again
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, String> in = input(driver, "in");
            in.pipeInput("a", "one", 5);
            in.pipeInput("b", "", 6);
            in.pipeInput("c", "#comment", 7);
            in.pipeInput("d", "two", 8);
            final TestOutputTopic<String, String> out = output(driver, "out");
            assertEquals(new TestRecord<>("a", "ONE", 5), out.readRecord());
            assertEquals(new TestRecord<>("d", "TWO", 8), out.readRecord());
            assertTrue(out.isEmpty());
            assertThrows(NoSuchElementException.class, out::readRecord);
            assertEquals(List.of("a", "d"), peeked);
        }
    }

    @Test
    void shouldMapKeysFlatMapAndMerge()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, String> left = builder.stream("left", STRINGS)
            .map((k, v) -> KeyValue.pair(v, k))
            .flatMapValues((v) -> List.of(v, v + v));
        final KStream<String, String> right = builder.stream("right", STRINGS)
            .selectKey((k, v) -> k + "!")
            .flatMap((k, v) -> List.of(KeyValue.pair(k, v), KeyValue.pair(k + "?", v)));
        left.merge(right).to("out", Produced.with(Serde.string(), Serde.string()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            input(driver, "left").pipeInput("k", "v");
            input(driver, "right").pipeInput("x", "y");
            assertEquals(List.of(KeyValue.pair("v", "k"), KeyValue.pair("v", "kk"), KeyValue.pair("x!", "y"),
                KeyValue.pair("x!?", "y")), output(driver, "out").readKeyValuesToList());
        }
    }

    @Test
    void shouldSendEachRecordToTheFirstMatchingBranchOrTheDefault()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final Map<String, KStream<String, String>> branches = builder.stream("in", STRINGS)
            .split("size-")
            .branch("small", (k, v) -> v.length() < 3)
            .branch("medium", (k, v) -> v.length() < 6)
            .defaultBranch("large");
        assertEquals(List.of("size-small", "size-medium", "size-large"), List.copyOf(branches.keySet()));
        branches.forEach((name, stream) -> stream.to(name));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, String> in = input(driver, "in");
            for (final String value : List.of("a", "abcd", "ab", "abcdefgh", "abcde"))
            {
                in.pipeInput(value, value);
            }
            assertEquals(List.of("a", "ab"), values(output(driver, "size-small")));
            assertEquals(List.of("abcd", "abcde"), values(output(driver, "size-medium")));
            assertEquals(List.of("abcdefgh"), values(output(driver, "size-large")));
        }
        final StreamsBuilder noDefault = new StreamsBuilder();
        noDefault.stream("in", STRINGS).split(null).branch("a", (k, v) -> v.startsWith("a"))
            .noDefaultBranch().values().forEach((stream) -> stream.to("as"));
        try (TopologyTestDriver driver = new TopologyTestDriver(noDefault.build()))
        {
            input(driver, "in").pipeInput("1", "apple");
            input(driver, "in").pipeInput("2", "banana");
            assertEquals(List.of("apple"), values(output(driver, "as")));
        }
    }

    @Test
    void shouldCountWordsThroughARepartitionTopicAndLogTheStore()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("lines", STRINGS)
            .flatMapValues((line) -> Arrays.asList(line.toLowerCase().split("\\W+")))
            .groupBy((key, word) -> word, Grouped.with(Serde.string(), Serde.string()).withName("words"))
            .count(Materialized.as("word-counts"))
            .toStream()
            .to("counts", Produced.with(Serde.string(), Serde.longs()));
        final Topology topology = builder.build();
        assertEquals(2, topology.subtopologies().size(), topology.describe());
        assertEquals(List.of("wc-words-repartition"), topology.subtopologies().get(1).sourceTopics("wc"));
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, "wc"))
        {
            final TestInputTopic<String, String> lines = input(driver, "lines");
            lines.pipeInput(null, "the quick fox", 1);
            lines.pipeInput(null, "The lazy dog and the fox", 2);
            final TestOutputTopic<String, Long> counts =
                driver.createOutputTopic("counts", Serdes.stringDeserializer(), Serdes.longDeserializer());
            final List<KeyValue<String, Long>> updates = counts.readKeyValuesToList();
            assertEquals(9, updates.size(), "one update per word: " + updates);
            assertEquals(KeyValue.pair("the", 1L), updates.get(0));
            assertEquals(KeyValue.pair("fox", 2L), updates.get(8));
            assertEquals(Map.of("the", 3L, "quick", 1L, "fox", 2L, "lazy", 1L, "dog", 1L, "and", 1L),
                new java.util.HashMap<>(toMap(updates)));
            assertEquals(3L, driver.<String, Long>keyValueStore("word-counts").get("the"));
            assertEquals(6, driver.keyValueStore("word-counts").approximateNumEntries());
            assertTrue(driver.producedTopicNames().contains("wc-words-repartition"), driver.producedTopicNames().toString());
            final TestOutputTopic<String, Long> changelog = driver.createOutputTopic(
                "wc-word-counts-changelog", Serdes.stringDeserializer(), Serdes.longDeserializer());
            assertEquals(updates, changelog.readKeyValuesToList(), "every store change is logged");
        }
    }

    @Test
    void shouldReduceAndAggregatePerKeyWithoutRepartitioningAnUnchangedKey()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, String> stream = builder.stream("in", STRINGS);
        stream.groupByKey().reduce((a, b) -> a + "," + b).toStream().to("joined");
        stream.groupByKey()
            .aggregate(() -> 0L, (key, value, total) -> total + value.length(),
                Materialized.<String, Long>as("lengths").withValueSerde(Serde.longs()))
            .toStream().to("lengths", Produced.with(Serde.string(), Serde.longs()));
        final Topology topology = builder.build();
        assertEquals(1, topology.subtopologies().size(), topology.describe());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology))
        {
            final TestInputTopic<String, String> in = input(driver, "in");
            in.pipeInput("a", "x");
            in.pipeInput("b", "yy");
            in.pipeInput("a", "zzz");
            in.pipeInput(null, "dropped: no key");
            in.pipeInput("a", null);
            assertEquals(List.of(KeyValue.pair("a", "x"), KeyValue.pair("b", "yy"), KeyValue.pair("a", "x,zzz")),
                output(driver, "joined").readKeyValuesToList());
            final TestOutputTopic<String, Long> lengths =
                driver.createOutputTopic("lengths", Serdes.stringDeserializer(), Serdes.longDeserializer());
            assertEquals(Map.of("a", 4L, "b", 2L), lengths.readKeyValuesToMap());
        }
    }

    @Test
    void shouldJoinAStreamWithATableOfItsKeys()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KTable<String, Long> limits = builder.table("limits", Consumed.with(Serde.string(), Serde.longs()),
            Materialized.as("limits-store"));
        final KStream<String, Long> payments = builder.stream("payments", Consumed.with(Serde.string(), Serde.longs()));
        payments.join(limits, (amount, limit) -> amount > limit ? "REJECT " + amount : "OK " + amount)
            .to("decisions", Produced.with(Serde.string(), Serde.string()));
        payments.leftJoin(limits, (amount, limit) -> null == limit ? "UNKNOWN" : "KNOWN")
            .to("known", Produced.with(Serde.string(), Serde.string()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, Long> limitsIn =
                driver.createInputTopic("limits", Serdes.stringSerializer(), Serdes.longSerializer());
            final TestInputTopic<String, Long> paymentsIn =
                driver.createInputTopic("payments", Serdes.stringSerializer(), Serdes.longSerializer());
            paymentsIn.pipeInput("alice", 10L);
            limitsIn.pipeInput("alice", 100L);
            paymentsIn.pipeInput("alice", 50L);
            paymentsIn.pipeInput("alice", 500L);
            limitsIn.pipeInput("alice", null);
            paymentsIn.pipeInput("alice", 1L);
            assertEquals(List.of("OK 50", "REJECT 500"), values(output(driver, "decisions")));
            assertEquals(List.of("UNKNOWN", "KNOWN", "KNOWN", "UNKNOWN"), values(output(driver, "known")));
            assertNull(driver.keyValueStore("limits-store").get("alice"), "a tombstone deletes the entry");
        }
    }

    @Test
    void shouldFilterAndMapTablesWithTombstonesForEntriesThatGo()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KTable<String, Long> balances = builder.table("balances", Consumed.with(Serde.string(), Serde.longs()));
        balances.filter((k, v) -> v > 0)
            .mapValues((v) -> "$" + v, Materialized.<String, String>as("positive").withValueSerde(Serde.string()))
            .toStream()
            .to("positive", Produced.with(Serde.string(), Serde.string()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, Long> in =
                driver.createInputTopic("balances", Serdes.stringSerializer(), Serdes.longSerializer());
            in.pipeInput("a", 5L);
            in.pipeInput("b", -1L);
            in.pipeInput("a", -3L);
            in.pipeInput("b", 7L);
            assertEquals(List.of(KeyValue.pair("a", "$5"), KeyValue.pair("a", null), KeyValue.pair("b", "$7")),
                output(driver, "positive").readKeyValuesToList(), "b's first value never matched: no tombstone");
            assertEquals(List.of(KeyValue.pair("b", "$7")), driver.keyValueStore("positive").all());
        }
    }

    @Test
    void shouldTakeEventTimeFromAnExtractorAndSkipNegativeTimes()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", STRINGS.withTimestampExtractor(
                (topic, key, value, recordTimestamp) -> Long.parseLong((String)value)))
            .to("out");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, String> in = input(driver, "in");
            in.advanceTime(Duration.ofSeconds(1));
            in.pipeInput("k", "42");
            in.pipeInput("k", "-1");
            final List<TestRecord<String, String>> out = output(driver, "out").readRecordsToList();
            assertEquals(List.of(new TestRecord<>("k", "42", 42)), out);
        }
    }

    @Test
    void shouldRefuseWhatCannotWork()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, String> stream = builder.stream("in", STRINGS);
        final KStream<Integer, Integer> mapped = stream.map((k, v) -> KeyValue.pair(v.length(), k.length()));
        assertThrows(IllegalStateException.class, () -> mapped.to("out"));
        assertThrows(IllegalStateException.class, mapped::groupByKey);
        assertThrows(IllegalArgumentException.class, () -> stream.groupByKey()
            .aggregate(() -> 0L, (k, v, a) -> a, Materialized.as("no-serde")));
        final KTable<String, String> table = builder.table("table", STRINGS);
        assertThrows(IllegalStateException.class,
            () -> stream.selectKey((k, v) -> v).join(table, (a, b) -> a + b));
        assertThrows(IllegalArgumentException.class, () -> builder.stream("in", STRINGS), "a topic read twice");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            assertThrows(IllegalArgumentException.class, () -> input(driver, "nowhere"));
            assertThrows(IllegalArgumentException.class, () -> driver.keyValueStore("nothing"));
        }
        assertThrows(IllegalStateException.class, () -> new StreamsBuilder().build());
    }

    private static TestInputTopic<String, String> input(final TopologyTestDriver driver, final String topic)
    {
        return driver.createInputTopic(topic, Serdes.stringSerializer(), Serdes.stringSerializer());
    }

    private static TestOutputTopic<String, String> output(final TopologyTestDriver driver, final String topic)
    {
        return driver.createOutputTopic(topic, Serdes.stringDeserializer(), Serdes.stringDeserializer());
    }

    private static List<String> values(final TestOutputTopic<String, String> topic)
    {
        final List<String> values = new ArrayList<>();
        for (final KeyValue<String, String> record : topic.readKeyValuesToList())
        {
            values.add(record.value());
        }
        return values;
    }

    private static <K, V> Map<K, V> toMap(final List<KeyValue<K, V>> records)
    {
        final Map<K, V> map = new java.util.LinkedHashMap<>();
        records.forEach((r) -> map.put(r.key(), r.value()));
        return map;
    }
}
