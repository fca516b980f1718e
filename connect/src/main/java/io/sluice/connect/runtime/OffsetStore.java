package io.sluice.connect.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sluice.client.Acks;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceProducer;
import io.sluice.client.TopicPartition;
import io.sluice.transport.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Source offsets in a compacted topic of one partition, as Kafka Connect's distributed workers keep them: the key
 * is the JSON of {@code [connector, sourcePartition]} (map keys sorted, so equal partitions give equal keys), the
 * value the JSON of the offset. Read once at start (every record up to the high watermark, the latest per key
 * wins); written by source tasks, acks from every in-sync replica, each write waited for. Thread-safe.
 */
final class OffsetStore
{
    private static final Logger LOG = LoggerFactory.getLogger(OffsetStore.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper mapper = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private final Map<String, Map<String, Object>> offsets = new ConcurrentHashMap<>();
    private final SluiceClient client;
    private final String topic;
    private final SluiceProducer<byte[], byte[]> producer;

    OffsetStore(final SluiceClient client, final String topic, final int replicationFactor)
    {
        this.client = client;
        this.topic = topic;
        ensureTopic(replicationFactor);
        load();
        producer = client.producer(ProducerOptions.create(Serdes.bytesSerializer(), Serdes.bytesSerializer())
            .withAcks(Acks.ALL));
    }

    private void ensureTopic(final int replicationFactor)
    {
        try
        {
            client.admin().describeTopic(topic).block(TIMEOUT);
        }
        catch (final RuntimeException missing)
        {
            client.admin().createTopic(topic, 1, replicationFactor, Map.of("cleanup.policy", "compact"))
                .block(TIMEOUT);
            LOG.info("created the offsets topic {}", topic);
        }
    }

    @SuppressWarnings("unchecked")
    private void load()
    {
        final TopicDescription description = client.admin().describeTopic(topic).block(TIMEOUT);
        final TopicDescription.PartitionDescription partition = description.partitions().get(0);
        final long end = partition.highWatermark();
        if (end <= partition.logStartOffset())
        {
            return;
        }
        final TopicPartition tp = new TopicPartition(topic, 0);
        int read = 0;
        for (final ConsumerRecord<byte[], byte[]> record : client.consumer(
                ConsumerOptions.create(Serdes.bytesDeserializer(), Serdes.bytesDeserializer())
                    .withAssignment(tp)
                    .withSeek(tp, ConsumerOptions.BEGINNING))
            .receiveAutoAck()
            .takeUntil((r) -> r.offset() >= end - 1)
            .timeout(TIMEOUT)
            .toIterable(256))
        {
            final String key = new String(record.key(), StandardCharsets.UTF_8);
            try
            {
                if (null == record.value())
                {
                    offsets.remove(key);
                }
                else
                {
                    offsets.put(key, mapper.readValue(record.value(), Map.class));
                }
            }
            catch (final IOException ex)
            {
                LOG.warn("skipping an unreadable offset in {} at {}: {}", topic, record.offset(), ex.getMessage());
            }
            read++;
        }
        LOG.info("read {} offsets of {} records from {}", offsets.size(), read, topic);
    }

    /**
     * @return the offset stored for a source partition of a connector, or null.
     */
    Map<String, Object> offset(final String connector, final Map<String, ?> sourcePartition)
    {
        return offsets.get(key(connector, sourcePartition));
    }

    /**
     * Store offsets, waiting until the topic has them.
     *
     * @param connector   whose offsets.
     * @param byPartition source partition to offset.
     */
    void write(final String connector, final Map<Map<String, ?>, Map<String, ?>> byPartition)
    {
        if (byPartition.isEmpty())
        {
            return;
        }
        final List<ProducerRecord<byte[], byte[], Void>> records = new ArrayList<>();
        final Map<String, Map<String, Object>> written = new java.util.HashMap<>();
        for (final Map.Entry<Map<String, ?>, Map<String, ?>> entry : byPartition.entrySet())
        {
            final String key = key(connector, entry.getKey());
            try
            {
                records.add(ProducerRecord.of(topic, key.getBytes(StandardCharsets.UTF_8),
                    mapper.writeValueAsBytes(entry.getValue())));
            }
            catch (final JsonProcessingException ex)
            {
                throw new IllegalArgumentException("an offset of " + connector + " is not JSON: " + entry.getValue(),
                    ex);
            }
            @SuppressWarnings("unchecked")
            final Map<String, Object> offset = (Map<String, Object>)entry.getValue();
            written.put(key, offset);
        }
        final List<SendResult<Void>> results = producer.send(Flux.fromIterable(records)).collectList().block(TIMEOUT);
        for (final SendResult<Void> result : results)
        {
            if (!result.isSuccess())
            {
                throw new IllegalStateException("cannot store offsets of " + connector + " in " + topic + ": " +
                    result.exception().getMessage(), result.exception());
            }
        }
        offsets.putAll(written);
    }

    private String key(final String connector, final Map<String, ?> sourcePartition)
    {
        try
        {
            return mapper.writeValueAsString(List.of(connector, sourcePartition));
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalArgumentException("a source partition of " + connector + " is not JSON: " +
                sourcePartition, ex);
        }
    }
}
