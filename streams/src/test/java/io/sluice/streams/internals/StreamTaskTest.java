package io.sluice.streams.internals;

import io.sluice.client.Serdes;
import io.sluice.streams.Consumed;
import io.sluice.streams.Materialized;
import io.sluice.streams.Produced;
import io.sluice.streams.Serde;
import io.sluice.streams.StreamsBuilder;
import io.sluice.streams.Topology;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class StreamTaskTest
{
    private record Sent(String topic, int partition, String key, Long value)
    {
    }

    @Test
    void shouldRestoreAStoreFromItsChangelogAndGoOnAsAnUninterruptedRunWould()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("words", Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .count(Materialized.as("counts"))
            .toStream()
            .to("out", Produced.with(Serde.string(), Serde.longs()));
        final Topology.Subtopology subtopology = builder.build().subtopologies().get(0);
        final Random random = new Random(7);
        final List<String> words = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            words.add("w" + random.nextInt(20));
        }

        final List<Sent> uninterrupted = new ArrayList<>();
        run(new StreamTask("app", subtopology, 3, collector(uninterrupted)), words.subList(0, 500), 0);

        final List<Sent> before = new ArrayList<>();
        run(new StreamTask("app", subtopology, 3, collector(before)), words.subList(0, 321), 0);
        final List<Sent> after = new ArrayList<>();
        final StreamTask resumed = new StreamTask("app", subtopology, 3, collector(after));
        for (final Sent sent : before)
        {
            if (sent.topic().equals("app-counts-changelog"))
            {
                assertEquals(3, sent.partition(), "a changelog partition is its task's");
                resumed.restore("counts", sent.key().getBytes(StandardCharsets.UTF_8),
                    Serdes.longSerializer().serialize(sent.topic(), sent.value()));
            }
        }
        assertEquals(20, resumed.stores().get("counts").approximateNumEntries(), "every word's count restored");
        run(resumed, words.subList(321, 500), 321);

        final List<Sent> interrupted = new ArrayList<>(before);
        interrupted.addAll(after);
        assertEquals(out(uninterrupted), out(interrupted), "the restored run's output is the uninterrupted one's");
        assertTrue(out(after).stream().anyMatch((s) -> s.value() > 20), "counts went on from the restored values");
    }

    private static void run(final StreamTask task, final List<String> words, final int firstOffset)
    {
        for (int i = 0; i < words.size(); i++)
        {
            final byte[] word = words.get(i).getBytes(StandardCharsets.UTF_8);
            task.process("words", firstOffset + i, 1000L + i, word, word);
        }
        task.snapshot(); // the epoch's changes logged, as a stopping application's last commit does
        task.close();
    }

    private static RecordCollector collector(final List<Sent> sent)
    {
        return (topic, partition, key, value, timestamp) -> sent.add(new Sent(topic, partition,
            new String(key, StandardCharsets.UTF_8), Serdes.longDeserializer().deserialize(topic, value)));
    }

    private static List<Sent> out(final List<Sent> sent)
    {
        return sent.stream().filter((s) -> s.topic().equals("out")).toList();
    }
}
