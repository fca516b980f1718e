package io.sluice.streams;

import io.sluice.client.Serdes;
import io.sluice.streams.internals.Change;
import io.sluice.streams.internals.ChangeSerde;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Table aggregations after {@code groupBy} through the test driver: each change goes through the repartition topic
 * as the old value taken out of its group and then the new one added; moves between groups, deletions, null keys,
 * the change serde, and restore across the two sub-topologies.
 */
class KGroupedTableTest
{
    private static final Consumed<String, String> STRINGS = Consumed.with(Serde.string(), Serde.string());

    @Test
    void shouldCountRowsPerGroupAndTakeAMovedRowOutOfItsOldGroup()
    {
        final Topology topology = usersPerRegion();
        assertEquals(2, topology.subtopologies().size(), "the table, then the count behind the repartition topic");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, "app"))
        {
            final TestInputTopic<String, String> users = driver.createInputTopic("users", Serdes.stringSerializer(),
                Serdes.stringSerializer());
            users.pipeInput("A", "eu");
            users.pipeInput("B", "eu");
            assertEquals(List.of(KeyValue.pair("eu", 1L), KeyValue.pair("eu", 2L)), counts(driver));

            users.pipeInput("A", "us");
            assertEquals(List.of(KeyValue.pair("eu", 1L), KeyValue.pair("us", 1L)), counts(driver),
                "subtracted from its old group, then added to the new one");
            users.pipeInput("A", "us");
            assertEquals(List.of(KeyValue.pair("us", 0L), KeyValue.pair("us", 1L)), counts(driver),
                "an update within a group: out, then in again");
            users.pipeInput("A", null);
            users.pipeInput("C", null);
            users.pipeInput("D", "none");
            assertEquals(List.of(KeyValue.pair("us", 0L)), counts(driver),
                "a deleted row leaves its group; deleting an absent row or a row of no group changes nothing");
            assertEquals(1L, driver.keyValueStore("users-per-region").get("eu"));
            assertEquals(0L, driver.keyValueStore("users-per-region").get("us"));

            final ChangeSerde<String> changes = new ChangeSerde<>(Serde.string());
            final List<KeyValue<String, Change<String>>> repartitioned = driver.createOutputTopic(
                "app-by-region-repartition", Serdes.stringDeserializer(), changes.deserializer()).readKeyValuesToList();
            assertEquals(List.of(KeyValue.pair("eu", new Change<>("A", null)),
                    KeyValue.pair("eu", new Change<>("B", null)),
                    KeyValue.pair("eu", new Change<>(null, "A")), KeyValue.pair("us", new Change<>("A", null)),
                    KeyValue.pair("us", new Change<>(null, "A")), KeyValue.pair("us", new Change<>("A", null)),
                    KeyValue.pair("us", new Change<>(null, "A"))),
                repartitioned, "old and new values cross the repartition topic");
        }
    }

    @Test
    void shouldReduceWithTheAdderAndTheSubtractor()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.table("balances", STRINGS)
            .groupBy((account, balance) -> KeyValue.pair(balance.split(":")[0], Long.parseLong(balance.split(":")[1])),
                Grouped.with(Serde.string(), Serde.longs()))
            .reduce(Long::sum, (total, amount) -> total - amount, Materialized.as("totals"))
            .toStream()
            .to("totals", Produced.with(Serde.string(), Serde.longs()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, String> balances = driver.createInputTopic("balances",
                Serdes.stringSerializer(), Serdes.stringSerializer());
            balances.pipeInput("acct-1", "eu:10");
            balances.pipeInput("acct-2", "eu:5");
            balances.pipeInput("acct-1", "us:7");
            balances.pipeInput("acct-2", "eu:8");
            assertEquals(List.of(KeyValue.pair("eu", 10L), KeyValue.pair("eu", 15L), KeyValue.pair("eu", 5L),
                    KeyValue.pair("us", 7L), KeyValue.pair("eu", 0L), KeyValue.pair("eu", 8L)),
                driver.createOutputTopic("totals", Serdes.stringDeserializer(), Serdes.longDeserializer())
                    .readKeyValuesToList());
        }
    }

    @Test
    void shouldAggregateWithTheInitializerAdderAndSubtractor()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.table("users", STRINGS)
            .groupBy((user, region) -> KeyValue.pair(region, user), Grouped.with(Serde.string(), Serde.string()))
            .aggregate(() -> "", (region, user, names) -> names + "+" + user,
                (region, user, names) -> names + "-" + user,
                Materialized.<String, String>as("names").withValueSerde(Serde.string()))
            .toStream()
            .to("names", Produced.with(Serde.string(), Serde.string()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, String> users = driver.createInputTopic("users", Serdes.stringSerializer(),
                Serdes.stringSerializer());
            users.pipeInput("A", "eu");
            users.pipeInput("B", "eu");
            users.pipeInput("A", "us");
            assertEquals("+A+B-A", driver.keyValueStore("names").get("eu"));
            assertEquals("+A", driver.keyValueStore("names").get("us"));
        }
    }

    @Test
    void shouldRestoreAGroupedTableAcrossItsSubtopologies()
    {
        final String[] users = { "A", "B", "A", "C", "B", "A", "D", "C", "A", "B" };
        final String[] regions = { "eu", "eu", "us", "us", null, "eu", "ap", "eu", null, "us" };
        final List<RestoreCheck.Input> inputs = new ArrayList<>();
        for (int i = 0; i < users.length; i++)
        {
            inputs.add(new RestoreCheck.Input("users", users[i], regions[i], i));
        }
        RestoreCheck.assertRestoresAsUninterrupted(usersPerRegion(), inputs, 5, "counts", "users-store",
            "users-per-region");
    }

    @Test
    void shouldRoundTripChangesAndRefuseCorruptOnes()
    {
        final ChangeSerde<String> serde = new ChangeSerde<>(Serde.string());
        for (final Change<String> change : List.of(new Change<>("new", "old"), new Change<>("new", (String)null),
            new Change<>((String)null, "old"), new Change<>("", "")))
        {
            assertEquals(change, serde.deserializer().deserialize("t", serde.serializer().serialize("t", change)));
        }
        assertThrows(IllegalArgumentException.class, () -> serde.deserializer().deserialize("t", new byte[3]));
        assertThrows(IllegalArgumentException.class,
            () -> serde.deserializer().deserialize("t", new byte[]{ 0, 0, 0, 9, 1, 2 }), "a length past the end");
        assertThrows(IllegalArgumentException.class,
            () -> serde.deserializer().deserialize("t", new byte[]{ -1, -1, -1, -1, -1, -1, -1, -1, 7 }),
            "bytes left over");
    }

    private static Topology usersPerRegion()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.table("users", STRINGS, Materialized.as("users-store"))
            .groupBy((user, region) -> KeyValue.pair("none".equals(region) ? null : region, user),
                Grouped.with(Serde.string(), Serde.string()).withName("by-region"))
            .count(Materialized.as("users-per-region"))
            .toStream()
            .to("counts", Produced.with(Serde.string(), Serde.longs()));
        return builder.build();
    }

    private static List<KeyValue<String, Long>> counts(final TopologyTestDriver driver)
    {
        return driver.createOutputTopic("counts", Serdes.stringDeserializer(), Serdes.longDeserializer())
            .readKeyValuesToList();
    }
}
