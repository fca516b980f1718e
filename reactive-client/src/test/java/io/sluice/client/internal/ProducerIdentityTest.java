package io.sluice.client.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerIdentityTest
{
    @Test
    void shouldCountSequencesPerPartitionAndStartOverInANewEpoch()
    {
        final ProducerIdentity identity = new ProducerIdentity();
        assertTrue(identity.producerId() >= 0);
        assertNotEquals(identity.producerId(), new ProducerIdentity().producerId());
        assertEquals(0, identity.epoch());

        identity.advance("a", 0, 5);
        identity.advance("a", 0, 3);
        identity.advance("a", 1, 2);
        identity.advance("b", 0, 1);
        assertEquals(8, identity.nextSequence("a", 0));
        assertEquals(2, identity.nextSequence("a", 1));
        assertEquals(1, identity.nextSequence("b", 0));
        assertEquals(0, identity.nextSequence("c", 0));

        identity.bumpEpoch();
        assertEquals(1, identity.epoch());
        assertEquals(0, identity.nextSequence("a", 0));
    }

    @Test
    void shouldWrapSequencesPastIntegerMaxValueAsTheBrokerDoes()
    {
        final ProducerIdentity identity = new ProducerIdentity();
        identity.advance("a", 0, Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, identity.nextSequence("a", 0));
        identity.advance("a", 0, 3);
        assertEquals(2, identity.nextSequence("a", 0));
    }
}
