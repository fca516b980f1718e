package io.sluice.streams;

import io.sluice.streams.internals.TaskHarness;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The restore check of a stateful operator: a run stopped after some records and restarted from its changelogs ends
 * with the same stores, and has written the same output, as a run that was never stopped.
 */
final class RestoreCheck
{
    /**
     * An input record, key and value as UTF-8 strings.
     */
    record Input(String topic, String key, String value, long timestamp)
    {
    }

    private RestoreCheck()
    {
    }

    /**
     * @param topology    to run.
     * @param inputs      in order.
     * @param stopAfter   how many inputs the stopped run processes; the next one should not be older than stream
     *                    time then, as a restarted task starts its stream time again from the records it reads.
     * @param outputTopic the topology's output to compare.
     * @param stores      the stores to compare.
     */
    static void assertRestoresAsUninterrupted(final Topology topology, final List<Input> inputs, final int stopAfter,
        final String outputTopic, final String... stores)
    {
        final TaskHarness uninterrupted = new TaskHarness(topology, "app");
        pipe(uninterrupted, inputs);

        final TaskHarness stopped = new TaskHarness(topology, "app");
        pipe(stopped, inputs.subList(0, stopAfter));
        final TaskHarness restarted = new TaskHarness(topology, "app");
        assertTrue(restarted.restoreFrom(stopped.sent()) > 0, "the stopped run logged its stores");
        for (final String store : stores)
        {
            assertEquals(stopped.storeContents(store), restarted.storeContents(store),
                "store " + store + " restored as it was");
        }
        pipe(restarted, inputs.subList(stopAfter, inputs.size()));

        for (final String store : stores)
        {
            assertEquals(uninterrupted.storeContents(store), restarted.storeContents(store),
                "store " + store + " ends as in the uninterrupted run");
        }
        final List<String> joined = new ArrayList<>(describe(stopped.sentTo(outputTopic)));
        joined.addAll(describe(restarted.sentTo(outputTopic)));
        final List<String> expected = describe(uninterrupted.sentTo(outputTopic));
        assertFalse(expected.isEmpty(), "the topology wrote to " + outputTopic);
        assertEquals(expected, joined, "the stopped and restarted runs wrote what the uninterrupted one did");
    }

    private static void pipe(final TaskHarness harness, final List<Input> inputs)
    {
        for (final Input input : inputs)
        {
            harness.pipe(input.topic(), bytes(input.key()), bytes(input.value()), input.timestamp());
        }
    }

    private static byte[] bytes(final String s)
    {
        return null == s ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> describe(final List<TaskHarness.Sent> sent)
    {
        return sent.stream().map((s) -> Arrays.toString(s.key()) + "=" + Arrays.toString(s.value()) + "@" +
            s.timestamp()).toList();
    }
}
