import pytest

from tests.stack.support import stack_for_session


@pytest.fixture(scope="session")
def stack(request):
    return stack_for_session(request)
