package io.sluice.perf.e2e;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaBrokerProcessIT
{
    private static final String TOPIC = "it-topic";

    @TempDir
    File parent;

    @Test
    void shouldProduceAndConsumeThenLeaveNothingBehindWhenClosed() throws Exception
    {
        final ProcessHandle brokerJvm;
        final File directory;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(parent))
        {
            brokerJvm = broker.processHandle();
            directory = broker.directory();
            assertTrue(brokerJvm.isAlive());
            assertTrue(new File(directory, "server.properties").isFile());
            broker.createTopic(TOPIC, 2);

            final Properties producerConfig = new Properties();
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "1");
            producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer()))
            {
                for (int i = 0; i < 3; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, "record-" + i)).get();
                }
            }

            final Properties consumerConfig = new Properties();
            consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            final List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer()))
            {
                final TopicPartition partition = new TopicPartition(TOPIC, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                while (values.size() < 3)
                {
                    for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100)))
                    {
                        values.add(record.value());
                    }
                }
            }
            assertEquals(List.of("record-0", "record-1", "record-2"), values);
        }

        assertFalse(brokerJvm.isAlive(), "broker JVM still running: " + brokerJvm.pid());
        assertFalse(directory.exists(), "left behind: " + directory);
        assertEquals(0, parent.list().length, "left behind: " + String.join(", ", parent.list()));
    }

    @Test
    void shouldFreezeBetweenUsesAndServeAgainWhenResumedAndCloseWhileFrozen() throws Exception
    {
        final ProcessHandle brokerJvm;
        final File directory;
        try (KafkaBrokerProcess broker =
            KafkaBrokerProcess.start(parent,
            Map.of("broker.session.timeout.ms", "3600000", "log.segment.delete.delay.ms", "0")))
        {
            brokerJvm = broker.processHandle();
            directory = broker.directory();

            broker.pause();
            assertEquals("T", state(brokerJvm), "stopped");
            final Duration cpu = brokerJvm.info().totalCpuDuration().orElseThrow();
            Thread.sleep(300);
            assertEquals(cpu, brokerJvm.info().totalCpuDuration().orElseThrow(), "a frozen JVM used CPU");

            broker.resume();
            assertFalse("T".equals(state(brokerJvm)), "still stopped");
            broker.createTopic(TOPIC, 1);
            assertEquals(1, broker.deleteTopics(TOPIC));

            broker.pause();
            assertEquals("T", state(brokerJvm), "stopped again");
        }

        assertFalse(brokerJvm.isAlive(), "broker JVM still running: " + brokerJvm.pid());
        assertFalse(directory.exists(), "left behind: " + directory);
    }

    /** The process's state letter from {@code /proc/PID/stat}: {@code T} when stopped by a signal. */
    private static String state(final ProcessHandle process) throws Exception
    {
        final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void shouldQuoteTheLogAndLeaveNothingBehindWhenTheBrokerCannotStart()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> KafkaBrokerProcess.start(parent, Map.of("num.io.threads", "0")));

        assertTrue(ex.getMessage().contains("format.log"), ex.getMessage());
        assertTrue(ex.getMessage().contains("num.io.threads"), ex.getMessage());
        assertEquals(0, parent.list().length, "left behind: " + String.join(", ", parent.list()));
    }
}
