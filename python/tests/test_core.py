import math
import pickle

import numpy as np
import pytest

import foresight as fs


def test_resource_vector_arithmetic_and_access():
    v = fs.ResourceVector(cpu=1.5, memory=2e9)
    assert v.cpu == 1.5 and v.memory == 2e9 and v.io == 0 and v.net == 0
    assert v[fs.Resource.memory] == 2e9
    assert v[0] == 1.5 and v[-1] == 0
    w = v + fs.ResourceVector(1, 1, 1, 1)
    assert w == fs.ResourceVector(2.5, 2e9 + 1, 1, 1)
    assert (v * 2).cpu == 3.0
    assert (v / 2).cpu == 0.75
    v[fs.Resource.io] = 7
    assert v.io == 7
    np.testing.assert_allclose(np.asarray(v), [1.5, 2e9, 7, 0])
    np.testing.assert_allclose(v.to_numpy(), [1.5, 2e9, 7, 0])
    assert len(v) == 4
    assert pickle.loads(pickle.dumps(v)) == v
    assert "cpu=1.5" in repr(v)
    with pytest.raises(IndexError):
        v[4]


def test_resource_vector_from_sequences():
    assert fs.ResourceVector([1, 2, 3, 4]) == fs.ResourceVector(1, 2, 3, 4)
    assert fs.ResourceVector(np.array([1.0, 2, 3, 4])) == fs.ResourceVector(1, 2, 3, 4)
    assert fs.ResourceVector.from_array((4, 3, 2, 1)).cpu == 4
    # Lists, tuples and arrays convert implicitly where a ResourceVector is expected.
    one = fs.ResourceVector(1, 1, 1, 1)
    assert one + [1, 2, 3, 4] == fs.ResourceVector(2, 3, 4, 5)
    assert one + np.array([1.0, 2, 3, 4]) == fs.ResourceVector(2, 3, 4, 5)
    with pytest.raises(ValueError, match="4 values"):
        fs.ResourceVector([1, 2, 3])
    assert not fs.ResourceVector(cpu=math.nan).is_valid_amount()
    assert fs.ResourceVector(1, 1, 1, 1).is_valid_amount()


def test_quantities_round_trip_and_errors():
    assert fs.parse_quantity("500m", fs.Resource.cpu) == pytest.approx(0.5)
    assert fs.parse_quantity("2Gi", fs.Resource.memory) == 2 * 1024**3
    assert fs.ParseQuantity("1.5G", fs.Resource.memory) == 1.5e9
    assert fs.format_quantity(0.25, fs.Resource.cpu) == "250m"
    assert fs.FormatQuantity(3 * 1024**3, fs.Resource.memory) == "3Gi"
    with pytest.raises(ValueError, match="malformed memory quantity 'lots'"):
        fs.parse_quantity("lots", fs.Resource.memory)
    with pytest.raises(ValueError, match="negative"):
        fs.parse_quantity("-1", fs.Resource.cpu)
    assert fs.parse_resource("mem") == fs.Resource.memory
    with pytest.raises(ValueError, match="unknown resource 'gpu'"):
        fs.parse_resource("gpu")
    v = fs.parse_resource_list("cpu=4,memory=16Gi", fs.ResourceVector(net=5))
    assert v == fs.ResourceVector(4, 16 * 1024**3, 0, 5)
    with pytest.raises(ValueError, match="kind=quantity"):
        fs.parse_resource_list("cpu")
    assert fs.Resource.memory.unit == "bytes"
