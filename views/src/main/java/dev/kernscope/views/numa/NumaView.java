package dev.kernscope.views.numa;

import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.model.NumaModel;
import dev.kernscope.views.model.TraceSelection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.css.CssMetaData;
import javafx.css.Styleable;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * NUMA overview: node topology with memory bars and distances, the cpu-node × memory-node access heat map with
 * the local ratio, per-node counter series on the timeline's time axis (the shared visible range, same left
 * gutter as the timeline) and a pages-per-node table per process. Shows a placeholder while the model is null.
 * Confined to the FX thread.
 */
public class NumaView extends Control implements StyleColors.Owner {
    static final String[] COLORS = {"-ks-background", "-ks-panel", "-ks-text", "-ks-text-dim", "-ks-separator",
        "-ks-cpu-chip", "-ks-mem-used", "-ks-mem-free", "-ks-heat-low", "-ks-heat-high", "-ks-local", "-ks-remote",
        "-ks-selection-fill", "-ks-series-0", "-ks-series-1", "-ks-series-2", "-ks-series-3", "-ks-series-4",
        "-ks-series-5", "-ks-tooltip-background", "-ks-tooltip-border"};
    static final int SERIES_COLORS = 6;
    private static final List<CssMetaData<? extends Styleable, ?>> CSS =
            StyleColors.declare(Control.getClassCssMetaData(), COLORS);

    private final TraceSelection selection;
    private final Consumer<TraceSelection> onChange;
    private final ObjectProperty<NumaModel> model = new SimpleObjectProperty<>(this, "model");
    private final StyleColors colors = new StyleColors(this, CSS);

    /**
     * @param selection shared view state: the series follow its visible and selected range
     * @param onChange  called after the user changes {@code selection} here (clicking a process row selects it)
     */
    public NumaView(TraceSelection selection, Consumer<TraceSelection> onChange) {
        this.selection = Objects.requireNonNull(selection);
        this.onChange = onChange == null ? s -> { } : onChange;
        getStyleClass().add("numa-view");
    }

    public TraceSelection getSelection() { return selection; }

    void fireChange() { onChange.accept(selection); }

    /** The data; null shows the placeholder. */
    public ObjectProperty<NumaModel> modelProperty() { return model; }
    public void setModel(NumaModel m) { model.set(m); }
    public NumaModel getModel() { return model.get(); }

    @Override public StyleColors styleColors() { return colors; }

    @Override protected Skin<?> createDefaultSkin() { return new NumaViewSkin(this); }

    @Override public String getUserAgentStylesheet() {
        return NumaView.class.getResource("numa-view.css").toExternalForm();
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() { return CSS; }

    @Override public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() { return CSS; }
}
