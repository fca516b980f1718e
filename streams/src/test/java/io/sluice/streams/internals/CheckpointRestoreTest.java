package io.sluice.streams.internals;

import io.sluice.client.Header;
import io.sluice.client.Serdes;
import io.sluice.streams.Consumed;
import io.sluice.streams.Grouped;
import io.sluice.streams.Materialized;
import io.sluice.streams.Produced;
import io.sluice.streams.Serde;
import io.sluice.streams.StreamsBuilder;
import io.sluice.streams.Topology;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A task killed after its checkpoint, its changelog compacted so that only the uncommitted changes of some keys are
 * left, restored by a new task: the state is the checkpoint's exactly, the input before the checkpoint is skipped,
 * and the outputs, repeats dropped by their origin header, are those of an uninterrupted run.
 */
class CheckpointRestoreTest
{
    private static final String WORDS = "words";
    private static final String CHANGELOG = "app-counts-changelog";
    private static final int PARTITION = 3;

    private record Sent(String topic, byte[] key, byte[] value, List<Header> headers)
    {
        String keyText()
        {
            return new String(key, StandardCharsets.UTF_8);
        }

        Long count()
        {
            return Serdes.longDeserializer().deserialize(topic, value);
        }

        byte[] header(final String name)
        {
            return headers.stream().filter((h) -> h.key().equals(name)).map(Header::value).findFirst().orElse(null);
        }
    }

    private final Topology.Subtopology subtopology = countTopology();
    private final List<String> words = randomWords(500);

    @Test
    void shouldRestoreTheCheckpointsStateWhenOnlyUncommittedChangesAreLeftAndRepeatNoOutput()
    {
        final List<Sent> first = new ArrayList<>();
        final StreamTask killed = task(first);
        process(killed, 0, 200);
        final Checkpoint acknowledged = killed.snapshot();
        killed.checkpointAcknowledged();
        process(killed, 200, 250);
        killed.snapshot(); // taken, never written
        process(killed, 250, 300);

        final List<Sent> second = new ArrayList<>();
        final StreamTask restored = restore(acknowledged, compact(first), second);
        assertEquals(counts(0, 200), contents(restored), "the state of the checkpoint");
        assertTrue(second.stream().anyMatch((s) -> s.topic().equals(CHANGELOG)), "the roll-backs logged");
        process(restored, 0, 500);

        assertEquals(counts(0, 500), contents(restored));
        assertEquals(uninterruptedOutputs(), outputsWithoutRepeats(first, second));
    }

    @Test
    void shouldRestoreACheckpointWrittenThoughItsTaskNeverHeardItWasAcknowledged()
    {
        final List<Sent> first = new ArrayList<>();
        final StreamTask killed = task(first);
        process(killed, 0, 200);
        killed.snapshot();
        killed.checkpointAcknowledged();
        process(killed, 200, 250);
        final Checkpoint written = killed.snapshot(); // durable, but the task died before it heard so
        process(killed, 250, 300);

        final List<Sent> second = new ArrayList<>();
        final StreamTask restored = restore(written, compact(first), second);
        assertEquals(counts(0, 250), contents(restored));
        process(restored, 0, 500);
        assertEquals(uninterruptedOutputs(), outputsWithoutRepeats(first, second));
    }

    @Test
    void shouldRestoreTheSameCheckpointAgainAfterASecondCrashOfTheRestoredTask()
    {
        final List<Sent> first = new ArrayList<>();
        final StreamTask killed = task(first);
        process(killed, 0, 200);
        final Checkpoint acknowledged = killed.snapshot();
        killed.checkpointAcknowledged();
        process(killed, 200, 260);
        killed.snapshot(); // its changes logged, its checkpoint never written
        process(killed, 260, 300);

        final List<Sent> second = new ArrayList<>();
        final StreamTask killedAgain = restore(acknowledged, compact(first), second);
        process(killedAgain, 150, 250);
        final long killedAgainsEpoch = killedAgain.epoch();
        killedAgain.snapshot(); // its changes logged, its checkpoint never written
        process(killedAgain, 250, 280); // killed again

        final List<Sent> both = new ArrayList<>(first);
        both.addAll(second);
        final List<Sent> third = new ArrayList<>();
        final StreamTask restored = restore(acknowledged, compact(both), third);
        assertEquals(counts(0, 200), contents(restored));
        assertTrue(restored.epoch() > killedAgainsEpoch, "a new epoch after every one seen");
        process(restored, 0, 500);
        final List<Sent> all = new ArrayList<>(both);
        assertEquals(uninterruptedOutputs(), outputsWithoutRepeats(all, third));
    }

    @Test
    void shouldLogEachKeyAnEpochChangedOnceWhenTheEpochEnds()
    {
        final List<Sent> sent = new ArrayList<>();
        final StreamTask task = task(sent);
        process(task, 0, 200);
        assertTrue(sent.stream().noneMatch((s) -> s.topic().equals(CHANGELOG)), "nothing logged within the epoch");
        task.snapshot();
        assertEquals(counts(0, 200), lastCounts(sent, 1), "each word once, with its count at the epoch's end");
        task.checkpointAcknowledged();

        sent.clear();
        process(task, 200, 250);
        task.snapshot();
        final Map<String, Long> changed = new TreeMap<>(counts(0, 250));
        changed.keySet().retainAll(counts(200, 250).keySet());
        assertEquals(changed, lastCounts(sent, 2));
        for (final Sent change : sent)
        {
            if (change.topic().equals(CHANGELOG))
            {
                final Long prior = counts(0, 200).get(change.keyText());
                assertArrayEquals(null == prior ? StreamTask.NO_VALUE : Serdes.longSerializer().serialize(CHANGELOG,
                    prior), StreamTask.priorAt("counts", change.header(StreamTask.CHANGE_HEADER), 1),
                    "the prior of " + change.keyText() + " is its count at the acknowledged checkpoint");
            }
        }
    }

    @Test
    void shouldLogNothingForAWindowOpenedAndClosedWithinOneEpochButATombstoneForOneClosedLater()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(WORDS, Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .windowedBy(io.sluice.streams.TimeWindows.ofSizeWithNoGrace(java.time.Duration.ofMillis(10)))
            .count(Materialized.as("windows"));
        final Topology.Subtopology windowed = builder.build().subtopologies().get(0);
        final byte[] word = "a".getBytes(StandardCharsets.UTF_8);

        final List<Sent> oneEpoch = new ArrayList<>();
        final StreamTask task = new StreamTask("app", windowed, 0, collector(oneEpoch));
        task.process(WORDS, 0, 0, word, word, List.of());
        task.process(WORDS, 1, 100, word, word, List.of()); // closes [0, 10)
        task.snapshot();
        assertEquals(List.of(true), changelogValues(oneEpoch), "only the open window [100, 110)");

        final List<Sent> twoEpochs = new ArrayList<>();
        final StreamTask split = new StreamTask("app", windowed, 0, collector(twoEpochs));
        split.process(WORDS, 0, 0, word, word, List.of());
        split.snapshot();
        split.checkpointAcknowledged();
        split.process(WORDS, 1, 100, word, word, List.of());
        split.snapshot();
        assertEquals(List.of(true, true, false), changelogValues(twoEpochs),
            "[0, 10) logged; then [100, 110) and [0, 10)'s tombstone, in the order of their first change");
    }

    @Test
    void shouldCarryTheCheckpointsPositionsOnIncludingThoseOfTopicsTheTaskDoesNotRead()
    {
        final StreamTask task = task(new ArrayList<>());
        task.beginRestore(new Checkpoint(3, 1000, Map.of(WORDS, 5L, "gone-topic", 7L), Map.of()));
        task.finishRestore();
        process(task, 0, 8); // 0-4 before the checkpoint's position: skipped
        final Checkpoint next = task.snapshot();
        assertEquals(Map.of(WORDS, 8L, "gone-topic", 7L), next.positions());
        assertEquals(counts(5, 8), contents(task));
    }

    private static List<Boolean> changelogValues(final List<Sent> sent)
    {
        return sent.stream().filter((s) -> s.topic().equals("app-windows-changelog")).map((s) -> null != s.value())
            .toList();
    }

    private static Map<String, Long> lastCounts(final List<Sent> sent, final long epoch)
    {
        final Map<String, Long> counts = new TreeMap<>();
        for (final Sent change : sent)
        {
            if (change.topic().equals(CHANGELOG))
            {
                assertEquals(epoch, ByteBuffer.wrap(change.header(StreamTask.CHANGE_HEADER)).getLong(),
                    "the epoch of " + change.keyText());
                assertNull(counts.put(change.keyText(), change.count()), "one entry for " + change.keyText());
            }
        }
        return counts;
    }

    @Test
    void shouldDropARepartitionRecordWhoseOriginWasTakenAlready()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("lines", Consumed.with(Serde.string(), Serde.string()))
            .groupBy((key, word) -> word, Grouped.with(Serde.string(), Serde.string()).withName("words"))
            .count(Materialized.as("counts"))
            .toStream()
            .to("out", Produced.with(Serde.string(), Serde.longs()));
        final Topology topology = builder.build();
        final List<Sent> upstreamSent = new ArrayList<>();
        final StreamTask upstream = new StreamTask("app", topology.subtopologies().get(0), 0, collector(upstreamSent));
        final byte[] line = "a".getBytes(StandardCharsets.UTF_8);
        upstream.process("lines", 7, 1, line, line, List.of());
        upstream.process("lines", 7, 1, line, line, List.of()); // the same input, as after a restart: skipped
        final Sent repartitioned = upstreamSent.get(0);
        assertEquals(1, upstreamSent.size(), "an input before the task's position is not processed again");
        final Checkpoint.Origin origin = Checkpoint.Origin.decode(repartitioned.header(Checkpoint.Origin.HEADER));
        assertEquals(new Checkpoint.Origin("lines-0", 7, 0), origin);

        final List<Sent> downstreamSent = new ArrayList<>();
        final StreamTask downstream =
            new StreamTask("app", topology.subtopologies().get(1), 0, collector(downstreamSent));
        downstream.process(repartitioned.topic(), 0, 1, repartitioned.key(), repartitioned.value(),
            repartitioned.headers());
        // The upstream task redid the input after a crash: the same origin again, at a later offset.
        downstream.process(repartitioned.topic(), 1, 1, repartitioned.key(), repartitioned.value(),
            repartitioned.headers());
        assertEquals(1, downstream.dropped());
        assertEquals(List.of(1L), downstreamSent.stream().filter((s) -> s.topic().equals("out")).map(Sent::count)
            .toList());
        final Checkpoint checkpoint = downstream.snapshot();
        assertEquals(origin, checkpoint.origins().get("lines-0"));
        assertEquals(Map.of(repartitioned.topic(), 2L), checkpoint.positions());
    }

    @Test
    void shouldRefuseAnUncommittedChangeWithoutAValueForTheCheckpointsEpoch()
    {
        final List<Sent> first = new ArrayList<>();
        final StreamTask killed = task(first);
        process(killed, 0, 10);
        killed.snapshot();
        final StreamTask restored = task(new ArrayList<>());
        restored.beginRestore(new Checkpoint(5, 0, Map.of(), Map.of()));
        final Sent change = first.stream().filter((s) -> s.topic().equals(CHANGELOG)).findFirst().orElseThrow();
        final byte[] inEpoch6 = change.header(StreamTask.CHANGE_HEADER).clone();
        ByteBuffer.wrap(inEpoch6).putLong(0, 6);
        final List<Header> headers = List.of(new Header(StreamTask.CHANGE_HEADER, inEpoch6));
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> restored.restore("counts", change.key(), change.value(), headers));
        assertTrue(error.getMessage().contains("no value for epoch 5"), error.getMessage());

        final List<Header> cut = List.of(new Header(StreamTask.CHANGE_HEADER, java.util.Arrays.copyOf(inEpoch6, 8)));
        final IllegalArgumentException short8 = assertThrows(IllegalArgumentException.class,
            () -> restored.restore("counts", change.key(), change.value(), cut));
        assertTrue(short8.getMessage().contains("header of 8 bytes"), short8.getMessage());
        final List<Header> noCount = List.of(new Header(StreamTask.CHANGE_HEADER, java.util.Arrays.copyOf(inEpoch6, 12)));
        assertThrows(IllegalArgumentException.class,
            () -> restored.restore("counts", change.key(), change.value(), noCount));
    }

    @Test
    void shouldRoundTripACheckpointAndRefuseCorruptOnes()
    {
        final Checkpoint checkpoint = new Checkpoint(42, 1234, Map.of("words", 17L, "app-x-repartition", 3L),
            Map.of("lines-0", new Checkpoint.Origin("lines-0", 9, 2)));
        assertEquals(checkpoint, Checkpoint.decode(checkpoint.encode()));
        final byte[] bytes = checkpoint.encode();
        for (int cut = 0; cut < bytes.length; cut++)
        {
            final byte[] shorter = java.util.Arrays.copyOf(bytes, cut);
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(shorter), "cut at " + cut);
        }
        final byte[] version = bytes.clone();
        version[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(version)).getMessage()
            .contains("version 9"));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private StreamTask task(final List<Sent> sent)
    {
        return new StreamTask("app", subtopology, PARTITION, collector(sent));
    }

    private StreamTask restore(final Checkpoint checkpoint, final List<Sent> changelog, final List<Sent> sent)
    {
        final StreamTask task = task(sent);
        task.beginRestore(checkpoint);
        for (final Sent change : changelog)
        {
            task.restore("counts", change.key(), change.value(), change.headers());
        }
        task.finishRestore();
        return task;
    }

    private void process(final StreamTask task, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final byte[] word = words.get(i).getBytes(StandardCharsets.UTF_8);
            task.process(WORDS, i, 1000L + i, word, word, List.of());
        }
    }

    /**
     * The worst a log cleaner may do: keep only each key's last change.
     */
    private static List<Sent> compact(final List<Sent> sent)
    {
        final Map<String, Sent> last = new LinkedHashMap<>();
        for (final Sent s : sent)
        {
            if (s.topic().equals(CHANGELOG))
            {
                last.remove(s.keyText());
                last.put(s.keyText(), s);
            }
        }
        return new ArrayList<>(last.values());
    }

    private Map<String, List<Long>> uninterruptedOutputs()
    {
        final List<Sent> sent = new ArrayList<>();
        process(task(sent), 0, 500);
        return outputsWithoutRepeats(sent, List.of());
    }

    /**
     * Each word's counts in the output, a record whose origin was seen before dropped, as a reader would.
     */
    private static Map<String, List<Long>> outputsWithoutRepeats(final List<Sent> before, final List<Sent> after)
    {
        final Set<ByteBuffer> seen = new HashSet<>();
        final Map<String, List<Long>> outputs = new TreeMap<>();
        final List<Sent> all = new ArrayList<>(before);
        all.addAll(after);
        for (final Sent s : all)
        {
            if (s.topic().equals("out") && seen.add(ByteBuffer.wrap(s.header(Checkpoint.Origin.HEADER))))
            {
                outputs.computeIfAbsent(s.keyText(), (k) -> new ArrayList<>()).add(s.count());
            }
        }
        return outputs;
    }

    private Map<String, Long> counts(final int from, final int to)
    {
        final Map<String, Long> counts = new TreeMap<>();
        words.subList(from, to).forEach((w) -> counts.merge(w, 1L, Long::sum));
        return counts;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> contents(final StreamTask task)
    {
        final Map<String, Long> contents = new TreeMap<>();
        ((io.sluice.streams.state.KeyValueStore<String, Long>)task.stores().get("counts")).all()
            .forEach((kv) -> contents.put(kv.key(), kv.value()));
        return contents;
    }

    private static RecordCollector collector(final List<Sent> sent)
    {
        return new RecordCollector()
        {
            public void send(final String topic, final int partition, final byte[] key, final byte[] value,
                final long timestamp)
            {
                send(topic, partition, key, value, timestamp, List.of());
            }

            public void send(final String topic, final int partition, final byte[] key, final byte[] value,
                final long timestamp, final List<Header> headers)
            {
                sent.add(new Sent(topic, key, value, headers));
            }
        };
    }

    private static Topology.Subtopology countTopology()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(WORDS, Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .count(Materialized.as("counts"))
            .toStream()
            .to("out", Produced.with(Serde.string(), Serde.longs()));
        return builder.build().subtopologies().get(0);
    }

    private static List<String> randomWords(final int count)
    {
        final Random random = new Random(11);
        final List<String> words = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            words.add("w" + random.nextInt(20));
        }
        return words;
    }
}
