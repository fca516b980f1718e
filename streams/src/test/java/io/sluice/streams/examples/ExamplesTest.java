package io.sluice.streams.examples;

import io.sluice.client.Serdes;
import io.sluice.streams.KeyValue;
import io.sluice.streams.TestInputTopic;
import io.sluice.streams.TestOutputTopic;
import io.sluice.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExamplesTest
{
    private static final long MINUTE = 60_000;

    @Test
    void shouldCountEveryWordAcrossLines()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(WordCount.topology(), "wc"))
        {
            final TestInputTopic<String, String> lines =
                driver.createInputTopic(WordCount.INPUT, Serdes.stringSerializer(), Serdes.stringSerializer());
            final TestOutputTopic<String, Long> counts =
                driver.createOutputTopic(WordCount.OUTPUT, Serdes.stringDeserializer(), Serdes.longDeserializer());

            lines.pipeInput(null, "The quick fox");
            lines.pipeInput(null, "the lazy dog, the END.");

            assertEquals(List.of(KeyValue.pair("the", 1L), KeyValue.pair("quick", 1L), KeyValue.pair("fox", 1L),
                KeyValue.pair("the", 2L), KeyValue.pair("lazy", 1L), KeyValue.pair("dog", 1L),
                KeyValue.pair("the", 3L), KeyValue.pair("end", 1L)), counts.readKeyValuesToList());
            assertEquals(3L, driver.<String, Long>keyValueStore(WordCount.STORE).get("the"));
            assertNull(driver.<String, Long>keyValueStore(WordCount.STORE).get(""));
        }
    }

    @Test
    void shouldEmitOneFinalCountPerUserAndMinuteAndDropClicksAfterTheGrace()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(WindowedClicks.topology(), "clicks"))
        {
            final TestInputTopic<String, String> clicks =
                driver.createInputTopic(WindowedClicks.INPUT, Serdes.stringSerializer(), Serdes.stringSerializer());
            final TestOutputTopic<String, Long> perMinute = driver.createOutputTopic(
                WindowedClicks.OUTPUT, Serdes.stringDeserializer(), Serdes.longDeserializer());

            clicks.pipeInput("ann", "/home", 1_000);
            clicks.pipeInput("bob", "/home", 2_000);
            clicks.pipeInput("ann", "/cart", 59_999);
            clicks.pipeInput("ann", "/pay", MINUTE + 5_000);   // the next window; the first is still open
            assertTrue(perMinute.isEmpty(), "no window has closed yet");
            clicks.pipeInput("bob", "/late", 30_000);           // late but within the grace: counted
            clicks.pipeInput("bob", "/next", MINUTE + 10_000);  // stream time reaches end + grace: closes [0, 1 min)
            clicks.pipeInput("bob", "/too-late", 40_000);       // its window has closed: dropped

            assertEquals(Map.of("ann@0", 2L, "bob@0", 2L), perMinute.readKeyValuesToMap());
            clicks.pipeInput("ann", "/later", 3 * MINUTE);
            assertEquals(Map.of("ann@" + MINUTE, 1L, "bob@" + MINUTE, 1L), perMinute.readKeyValuesToMap());
        }
    }

    @Test
    void shouldAlertOnPaymentsOverTheLimitOrWithoutOne()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(FraudCheck.topology(), "fraud"))
        {
            final TestInputTopic<String, Long> limits =
                driver.createInputTopic(FraudCheck.LIMITS, Serdes.stringSerializer(), Serdes.longSerializer());
            final TestInputTopic<String, Long> payments =
                driver.createInputTopic(FraudCheck.PAYMENTS, Serdes.stringSerializer(), Serdes.longSerializer());
            final TestOutputTopic<String, String> alerts =
                driver.createOutputTopic(FraudCheck.ALERTS, Serdes.stringDeserializer(), Serdes.stringDeserializer());

            limits.pipeInput("acc-1", 10_000L);
            payments.pipeInput("acc-1", 9_999L);
            payments.pipeInput("acc-1", 10_000L);
            payments.pipeInput("acc-1", 10_001L);
            payments.pipeInput("acc-2", 1L);
            limits.pipeInput("acc-1", 20_000L);
            payments.pipeInput("acc-1", 15_000L);
            limits.pipeInput("acc-1", null);
            payments.pipeInput("acc-1", 5L);

            assertEquals(List.of(
                KeyValue.pair("acc-1", "payment of 10001 over the limit of 10000"),
                KeyValue.pair("acc-2", "payment of 1 on an account without a limit"),
                KeyValue.pair("acc-1", "payment of 5 on an account without a limit")), alerts.readKeyValuesToList());
            assertNull(driver.<String, Long>keyValueStore(FraudCheck.LIMITS_STORE).get("acc-1"));
        }
    }
}
