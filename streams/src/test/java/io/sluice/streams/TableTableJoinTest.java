package io.sluice.streams;

import io.sluice.client.Serdes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Table-table joins through the test driver: updates on either side, tombstones for deleted results (and none for
 * keys that had no result), the result's store, and restore.
 */
class TableTableJoinTest
{
    private static final Consumed<String, String> STRINGS = Consumed.with(Serde.string(), Serde.string());

    private enum Kind
    {
        INNER, LEFT, OUTER
    }

    @Test
    void shouldJoinWhileBothSidesHaveTheKeyAndDeleteTheResultWhenEitherGoes()
    {
        final Topology topology = join(Kind.INNER);
        assertEquals(1, topology.subtopologies().size(), "both tables and the join in one task");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology))
        {
            final TestInputTopic<String, String> users = users(driver);
            final TestInputTopic<String, String> regions = regions(driver);
            users.pipeInput("A", "ann", 1);
            assertEquals(List.of(), out(driver), "no region yet");
            regions.pipeInput("A", "eu", 2);
            users.pipeInput("A", "anna", 3);
            assertEquals(List.of(KeyValue.pair("A", "ann/eu"), KeyValue.pair("A", "anna/eu")), out(driver));
            assertEquals("anna/eu", driver.keyValueStore("user-regions").get("A"));

            regions.pipeInput("A", null, 4);
            assertEquals(List.of(KeyValue.pair("A", null)), out(driver), "a side deleted: the result is deleted");
            assertNull(driver.keyValueStore("user-regions").get("A"));
            regions.pipeInput("A", null, 5);
            users.pipeInput("B", "bob", 6);
            users.pipeInput("B", null, 7);
            users.pipeInput("A", null, 8);
            regions.pipeInput("A", "us", 9);
            assertEquals(List.of(), out(driver), "no tombstone for a key without a result");
        }
    }

    @Test
    void shouldFollowTheLeftTableInALeftJoin()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(join(Kind.LEFT)))
        {
            final TestInputTopic<String, String> users = users(driver);
            final TestInputTopic<String, String> regions = regions(driver);
            users.pipeInput("A", "ann", 1);
            regions.pipeInput("A", "eu", 2);
            regions.pipeInput("A", null, 3);
            regions.pipeInput("B", "us", 4);
            users.pipeInput("A", null, 5);
            assertEquals(List.of(KeyValue.pair("A", "ann/null"), KeyValue.pair("A", "ann/eu"),
                KeyValue.pair("A", "ann/null"), KeyValue.pair("A", null)), out(driver));
        }
    }

    @Test
    void shouldKeepAResultWhileEitherSideHasTheKeyInAnOuterJoin()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(join(Kind.OUTER)))
        {
            final TestInputTopic<String, String> users = users(driver);
            final TestInputTopic<String, String> regions = regions(driver);
            regions.pipeInput("B", "us", 1);
            users.pipeInput("B", "bob", 2);
            users.pipeInput("B", null, 3);
            regions.pipeInput("B", null, 4);
            regions.pipeInput("B", null, 5);
            assertEquals(List.of(KeyValue.pair("B", "null/us"), KeyValue.pair("B", "bob/us"),
                KeyValue.pair("B", "null/us"), KeyValue.pair("B", null)), out(driver));
            assertEquals(0, driver.keyValueStore("user-regions").approximateNumEntries());
        }
    }

    @Test
    void shouldRestoreBothTablesAndTheJoinResults()
    {
        final String[] keys = { "A", "A", "B", "A", "B", "C", "A", "C" };
        final String[] values = { "ann", "eu", "us", null, "bob", "eu", "ann", null };
        final java.util.ArrayList<RestoreCheck.Input> inputs = new java.util.ArrayList<>();
        for (int i = 0; i < keys.length; i++)
        {
            inputs.add(new RestoreCheck.Input(i % 2 == 0 ? "users" : "regions", keys[i], values[i], i));
        }
        RestoreCheck.assertRestoresAsUninterrupted(join(Kind.OUTER), inputs, 4, "out", "users-store",
            "regions-store", "user-regions");
    }

    private static Topology join(final Kind kind)
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KTable<String, String> users = builder.table("users", STRINGS, Materialized.as("users-store"));
        final KTable<String, String> regions = builder.table("regions", STRINGS, Materialized.as("regions-store"));
        final Materialized<String, String> store = Materialized.<String, String>as("user-regions")
            .withValueSerde(Serde.string());
        final KTable<String, String> joined = switch (kind)
        {
            case INNER -> users.join(regions, (name, region) -> name + "/" + region, store);
            case LEFT -> users.leftJoin(regions, (name, region) -> name + "/" + region, store);
            case OUTER -> users.outerJoin(regions, (name, region) -> name + "/" + region, store);
        };
        assertEquals("user-regions", joined.queryableStoreName());
        joined.toStream().to("out", Produced.with(Serde.string(), Serde.string()));
        return builder.build();
    }

    private static TestInputTopic<String, String> users(final TopologyTestDriver driver)
    {
        return driver.createInputTopic("users", Serdes.stringSerializer(), Serdes.stringSerializer());
    }

    private static TestInputTopic<String, String> regions(final TopologyTestDriver driver)
    {
        return driver.createInputTopic("regions", Serdes.stringSerializer(), Serdes.stringSerializer());
    }

    private static List<KeyValue<String, String>> out(final TopologyTestDriver driver)
    {
        return driver.createOutputTopic("out", Serdes.stringDeserializer(), Serdes.stringDeserializer())
            .readKeyValuesToList();
    }
}
