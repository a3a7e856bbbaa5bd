package io.aiobridge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs each TCK suite through the JUnit Platform's TestNG engine and fails unless every TCK test
 * that ran passed and at least the expected number of them ran: a suite that silently does not
 * run (a missing engine, a renamed class) is a red build. The expected counts are the suites'
 * TCK tests minus the TCK's own optional/untested skips, listed with reasons in tck/README.md.
 */
class TckSuiteTest {

    record Suite(Class<?> type, int minPassed) {
        @Override
        public String toString() {
            return type.getSimpleName();
        }
    }

    static List<Suite> suites() {
        return List.of(
                new Suite(PublisherTcks.GeneratorExplicitLoopTck.class, 31),
                new Suite(PublisherTcks.GeneratorDefaultLoopTck.class, 31),
                new Suite(PublisherTcks.GeneratorFlowExplicitLoopTck.class, 31),
                new Suite(PublisherTcks.GeneratorFlowDefaultLoopTck.class, 31),
                new Suite(PublisherTcks.IterableExplicitLoopTck.class, 31),
                new Suite(PublisherTcks.IterableFlowDefaultLoopTck.class, 31),
                new Suite(PublisherTcks.CoroutineExplicitLoopTck.class, 12),
                new Suite(PublisherTcks.CoroutineFlowDefaultLoopTck.class, 12),
                new Suite(PublisherTcks.FutureTck.class, 12),
                new Suite(PublisherTcks.FutureFlowTck.class, 12),
                new Suite(PublisherTcks.PendingFutureTck.class, 12),
                new Suite(SubscriberTcks.IteratorSubscriberBlackboxTck.class, 11),
                new Suite(SubscriberTcks.IteratorSubscriberFlowBlackboxTck.class, 11),
                new Suite(SubscriberTcks.IteratorSubscriberWhiteboxTck.class, 14),
                new Suite(SubscriberTcks.AwaitLastBlackboxTck.class, 11),
                new Suite(SubscriberTcks.AwaitFirstBlackboxTck.class, 11),
                new Suite(ReactorTcks.GeneratorFluxTck.class, 31),
                new Suite(ReactorTcks.CoroutineMonoTck.class, 12),
                new Suite(RxJavaTcks.GeneratorFlowableTck.class, 31),
                new Suite(RxJavaTcks.IterableFlowableTck.class, 31),
                new Suite(RxJavaTcks.CoroutineMaybeFlowableTck.class, 12),
                new Suite(RoundTripTcks.RangeRoundTripTck.class, 31),
                new Suite(RoundTripTcks.RangeRoundTripTwiceTck.class, 31),
                new Suite(RoundTripTcks.RangeRoundTripBufferedTck.class, 31),
                new Suite(RoundTripTcks.UnboundedRoundTripTck.class, 20),
                new Suite(RoundTripTcks.RangeFluxGeneratorTck.class, 31),
                new Suite(RoundTripTcks.RangeFlowableGeneratorTck.class, 31));
    }

    @ParameterizedTest
    @MethodSource("suites")
    void tckSuitePasses(Suite suite) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(suite.type())).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        List<String> skipped = new ArrayList<>();
        TestExecutionListener names =
                new TestExecutionListener() {
                    @Override
                    public void executionSkipped(TestIdentifier id,
                            String reason) {
                        skipped.add(id.getDisplayName());
                    }

                    @Override
                    public void executionFinished(TestIdentifier id,
                            TestExecutionResult result) {
                        if (id.isTest() && result.getStatus()
                                == TestExecutionResult.Status.ABORTED) {
                            skipped.add(id.getDisplayName());
                        }
                    }
                };
        launcher.execute(request, listener, names);
        System.out.println("TCK " + suite + " skipped: " + skipped);
        TestExecutionSummary summary = listener.getSummary();
        StringWriter failures = new StringWriter();
        summary.printFailuresTo(new PrintWriter(failures), 20);
        System.out.printf("TCK %s: %d passed, %d failed, %d skipped%n", suite,
                summary.getTestsSucceededCount(), summary.getTestsFailedCount(),
                summary.getTestsSkippedCount() + summary.getTestsAbortedCount());
        assertEquals(0, summary.getTestsFailedCount(), suite + " failures:\n" + failures);
        assertTrue(summary.getTestsSucceededCount() >= suite.minPassed(), suite + ": only "
                + summary.getTestsSucceededCount() + " TCK tests passed, expected at least "
                + suite.minPassed() + " (did the TestNG engine run?)");
    }
}
