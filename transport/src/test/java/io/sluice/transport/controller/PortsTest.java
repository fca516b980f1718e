package io.sluice.transport.controller;

import org.junit.jupiter.api.Test;

import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port blocks asked for one after another, none bound yet, never overlap, and stay below the ephemeral range.
 */
class PortsTest
{
    @Test
    void shouldHandOutBlocksThatDoNotOverlapBeforeAnyIsBound()
    {
        final TreeSet<Integer> bases = new TreeSet<>();
        for (int i = 0; i < 20; i++)
        {
            final int base = ControllerNode.Ports.freeLoopbackBlock();
            assertTrue(base >= 20_000 && base + ControllerNode.Ports.COUNT <= 32_768, "in range: " + base);
            final Integer below = bases.floor(base);
            final Integer above = bases.ceiling(base);
            assertTrue(null == below || base - below >= ControllerNode.Ports.COUNT, base + " overlaps " + below);
            assertTrue(null == above || above - base >= ControllerNode.Ports.COUNT, base + " overlaps " + above);
            bases.add(base);
        }
    }
}
