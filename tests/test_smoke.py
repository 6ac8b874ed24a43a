def test_login_page_is_chinese_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "督办系统" in page.text and "登录名" in page.text


def test_anonymous_is_sent_to_login(client):
    response = client.get("/overdue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
