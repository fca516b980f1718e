package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The charts of a run, drawn by XChart: the percentile distributions of every target on one chart (latency), or
 * records per second per target (throughput).
 * <p>
 * The percentile chart follows HdrHistogram's plotter: x is {@code log10(1 / (1 - percentile))}, so 90%, 99%,
 * 99.9%, ... are evenly spaced (at 1, 2, 3, ...) and the tail gets the room it deserves, and the ticks are labelled
 * with the percentile (XChart's tick formatter works on linear axes, hence the logarithm here rather than a
 * logarithmic axis); the y axis is latency in microseconds, logarithmic, because the targets compared differ by
 * orders of magnitude.
 */
final class ResultCharts
{
    static final int WIDTH = 1000;
    static final int HEIGHT = 600;
    /** Points per halving of the distance to 100%, as {@code HistogramLogProcessor}'s default. */
    static final int TICKS_PER_HALF_DISTANCE = 5;
    /** Latencies below this are drawn at it: a logarithmic axis has no 0. */
    static final double MIN_MICROS = 0.1;

    private ResultCharts()
    {
    }

    /**
     * The percentile distributions of every target.
     *
     * @param title   of the chart.
     * @param results one per target.
     * @return the chart.
     */
    static XYChart percentiles(final String title, final List<E2ePhases.LatencyResult> results)
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
            .xAxisTitle("percentile").yAxisTitle("latency (us)").build();
        final var styler = chart.getStyler();
        styler.setXAxisMin(0.0);
        styler.setYAxisDecimalPattern("#,##0.#");
        styler.setYAxisLogarithmic(true);
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setxAxisTickLabelsFormattingFunction(ResultCharts::percentileLabel);
        styler.setMarkerSize(0);
        for (final E2ePhases.LatencyResult result : results)
        {
            final double[][] points = points(result.histogram);
            if (points[0].length > 0)
            {
                final XYSeries series = chart.addSeries(result.target, points[0], points[1]);
                series.setMarker(SeriesMarkers.NONE);
            }
        }
        return chart;
    }

    /**
     * Records per second of every target.
     *
     * @param title   of the chart.
     * @param results one per target.
     * @return the chart.
     */
    static CategoryChart throughput(final String title, final List<E2ePhases.ThroughputResult> results)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
            .xAxisTitle("target").yAxisTitle("acknowledged records/s").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        final List<String> names = new ArrayList<>();
        final List<Double> rates = new ArrayList<>();
        for (final E2ePhases.ThroughputResult result : results)
        {
            names.add(result.target);
            rates.add(result.recordsPerSecond());
        }
        chart.addSeries("records/s", names, rates);
        return chart;
    }

    /**
     * The points of a percentile distribution: x is {@code log10(1 / (1 - percentile))}, y the latency in microseconds at
     * that percentile; the last point (100%) is left out, as it would be at infinity, the max is the point before.
     *
     * @param histogram of latencies in nanoseconds.
     * @return {x[], y[]}, empty if the histogram is.
     */
    static double[][] points(final Histogram histogram)
    {
        final List<double[]> points = new ArrayList<>();
        if (histogram.getTotalCount() > 0)
        {
            for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
            {
                final double fraction = value.getPercentileLevelIteratedTo() / 100.0;
                if (fraction >= 1.0)
                {
                    break;
                }
                points.add(new double[]{ Math.log10(1.0 / (1.0 - fraction)),
                    Math.max(MIN_MICROS, value.getValueIteratedTo() / 1e3) });
            }
        }
        final double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++)
        {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }

    /**
     * A tick of the x axis as a percentile: 0 is 0%, 1 is 90%, 2 is 99%, 3 is 99.9%, 2.5 is 99.6838%. Every tick gets
     * a label with one more decimal than the decade it is in, so that no two ticks share a label (XChart looks for
     * tick spacing until every label is unique, and would not stop).
     *
     * @param x {@code log10(1 / (1 - percentile))}.
     * @return the percentile, as short as it can be.
     */
    static String percentileLabel(final Double x)
    {
        final int decimals = (int)Math.max(0, Math.ceil(x)) + 2;
        final BigDecimal percent = BigDecimal.valueOf(100.0 * (1.0 - Math.pow(10.0, -x)))
            .setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return (percent.signum() == 0 ? "0" : percent.toPlainString()) + "%";
    }
}
