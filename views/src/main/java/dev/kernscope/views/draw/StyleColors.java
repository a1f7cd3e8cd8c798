package dev.kernscope.views.draw;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.InvalidationListener;
import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.StyleConverter;
import javafx.css.Styleable;
import javafx.css.StyleableProperty;
import javafx.scene.paint.Color;

/**
 * A set of colour properties settable only from CSS (e.g. {@code -ks-lane-background: -ks-bg;}), so canvas
 * skins take every colour from the stylesheet's looked-up colours. Confined to the FX thread.
 */
public final class StyleColors {
    /** A styleable that owns a {@link StyleColors}. */
    public interface Owner extends Styleable {
        StyleColors styleColors();
    }

    private final Map<String, SimpleStyleableObjectProperty<Color>> props = new LinkedHashMap<>();

    public StyleColors(Owner owner, List<CssMetaData<? extends Styleable, ?>> metas) {
        for (CssMetaData<? extends Styleable, ?> m : metas) {
            if (!(m instanceof ColorMeta cm)) continue;
            props.put(cm.getProperty(), new SimpleStyleableObjectProperty<>(cm, owner, cm.getProperty(), cm.getInitialValue(null)));
        }
    }

    /** The current value of a CSS colour property such as {@code -ks-text}. */
    public Color get(String cssProperty) {
        SimpleStyleableObjectProperty<Color> p = props.get(cssProperty);
        if (p == null) throw new IllegalArgumentException("undeclared colour " + cssProperty);
        return p.get();
    }

    /** Runs {@code l} whenever any colour changes (e.g. when the stylesheet is applied). */
    public void addListener(InvalidationListener l) {
        for (var p : props.values()) p.addListener(l);
    }

    /**
     * Declares colour properties, appended to {@code inherited}. The initial value is a neutral grey so that a
     * missing stylesheet is visible but not fatal.
     */
    public static List<CssMetaData<? extends Styleable, ?>> declare(List<CssMetaData<? extends Styleable, ?>> inherited,
                                                                    String... names) {
        List<CssMetaData<? extends Styleable, ?>> all = new ArrayList<>(inherited);
        for (String n : names) all.add(new ColorMeta(n));
        return Collections.unmodifiableList(all);
    }

    private static final class ColorMeta extends CssMetaData<Styleable, Color> {
        ColorMeta(String property) { super(property, StyleConverter.getColorConverter(), Color.GRAY); }

        @Override public boolean isSettable(Styleable s) { return true; }

        @Override public StyleableProperty<Color> getStyleableProperty(Styleable s) {
            return ((Owner) s).styleColors().props.get(getProperty());
        }
    }
}
