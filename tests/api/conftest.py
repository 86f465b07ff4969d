import pytest

from portal.models import ApiScope
from portal.services import api_key_create


@pytest.fixture
def read_key(db) -> str:
    return api_key_create(name="档案系统", scopes=[ApiScope.PEOPLE_READ])[1]


@pytest.fixture
def write_key(db) -> str:
    return api_key_create(name="人事系统", scopes=[ApiScope.PEOPLE_READ, ApiScope.PEOPLE_WRITE])[1]
